# table.awk: bench/run.sh's results.tsv -> the printed table.
# Columns of results.tsv (one row per run; side = ngnprod, raw, or before:
# the earlier ngnprod of BENCH_BEFORE):
#  1 scale  2 workload  3 conns  4 side  5 rps  6 p50_us  7 p99_us  8 p999_us
#  9 max_us  10 errors  11 stmts/op  12 commits/op  13 conn_min  14 conn_max
#  15 rss_before_kb  16 rss_after_kb  17 ngnprod CPU us/op  18 mariadbd CPU
#  us/op  19 client CPU us/op  20 1-minute load average at the end of the run
#  21 InnoDB buffer pool misses (page reads) per call  22 context switches of
#  ngnprod per call  23 context switches of mariadbd per call
function ms(us) { return us == "" ? "-" : sprintf("%.2f", us / 1000) }
function sc(s) { return s >= 1000000 ? (s / 1000000) "M" : (s / 1000) "k" }
function num(x) { return x == "" ? "-" : sprintf("%.0f", x) }
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in seen)) { seen[k] = 1; order[++n] = k }
	for (i = 5; i <= 23; i++) v[k, $4, i] = $i
	has[k, $4] = 1
	if ($22 != "") hasctx = 1
}
# context switches per call; "?" when threads ended during the run (their
# counts leave /proc with them)
function cs(x) { return x == "" ? "" : (x < 0 ? "?" : x) }
END {
	cfmt = hasctx ? " %-11s |" : "%s"
	printf "%-4s %-13s %5s | %9s %6s %6s %6s | %8s %6s %6s %6s | %5s | %-15s |" cfmt " %-9s | %-5s | %s\n", \
		"data", "operation", "conns", "ngnprod/s", "p50ms", "p99ms", "p99.9", \
		"raw/s", "p50ms", "p99ms", "p99.9", "ratio", "CPU us/op", hasctx ? "ctxsw/op" : "", "stmts n:r", "errs", \
		"fair, RSS MB"
	for (j = 1; j <= n; j++) {
		k = order[j]; split(k, f, SUBSEP)
		g = has[k, "ngnprod"]; r = has[k, "raw"]
		ratio = (g && r && v[k, "raw", 5] > 0) ? sprintf("%.2f", v[k, "ngnprod", 5] / v[k, "raw", 5]) : "-"
		cpu = (g ? v[k, "ngnprod", 17] "+" v[k, "ngnprod", 18] : "-") "|" (r ? v[k, "raw", 18] : "-")
		ctx = hasctx ? (g ? cs(v[k, "ngnprod", 22]) "+" cs(v[k, "ngnprod", 23]) : "-") "|" (r ? cs(v[k, "raw", 23]) : "-") : ""
		fair = g ? sprintf("%s/%s, %.1f->%.1f", v[k, "ngnprod", 13], v[k, "ngnprod", 14], \
			v[k, "ngnprod", 15] / 1024, v[k, "ngnprod", 16] / 1024) : ""
		printf "%-4s %-13s %5s | %9s %6s %6s %6s | %8s %6s %6s %6s | %5s | %-15s |" cfmt " %4s:%-4s | %2s:%-2s | %s\n", \
			sc(f[1]), f[2], f[3], \
			g ? num(v[k, "ngnprod", 5]) : "-", g ? ms(v[k, "ngnprod", 6]) : "-", \
			g ? ms(v[k, "ngnprod", 7]) : "-", g ? ms(v[k, "ngnprod", 8]) : "-", \
			r ? num(v[k, "raw", 5]) : "-", r ? ms(v[k, "raw", 6]) : "-", \
			r ? ms(v[k, "raw", 7]) : "-", r ? ms(v[k, "raw", 8]) : "-", \
			ratio, cpu, ctx, g ? v[k, "ngnprod", 11] : "-", r ? v[k, "raw", 11] : "-", \
			g ? v[k, "ngnprod", 10] : "-", r ? v[k, "raw", 10] : "-", fair
	}
	print ""
	print "ratio = ngnprod/raw throughput in the same run. CPU us/op = CPU time per call of ngnprod + mariadbd"
	print "  in the ngnprod run | of mariadbd in the raw run (all processes share 2 cores)" \
		(hasctx ? "; ctxsw/op = context" : ". stmts = statements")
	if (hasctx)
		print "  switches per call, same layout. stmts = statements"
	print "  executed per call (Com_stmt_execute, ngnprod:raw); a write also COMMITs once, a read not (ngnprod"
	print "  ends its read transactions when idle or every 0.2 s, raw reads in autocommit). fair = fewest/most"
	print "  calls completed by one connection; RSS = ngnprod's before->after the run. errs = failed calls."
	nb = 0
	for (j = 1; j <= n; j++)
		if (has[order[j], "before"] && has[order[j], "ngnprod"])
			nb++
	if (nb == 0)
		exit
	print ""
	print "before -> after (BENCH_BEFORE: the earlier ngnprod, run right before the current one, same data):"
	printf "%-4s %-13s %5s | %9s %9s %6s | %7s %7s | %7s %7s | %9s | %s\n", "data", "operation", "conns", \
		"before/s", "after/s", "a/b", "p99 b", "p99 a", "raw r b", "raw r a", "stmts b:a", "CPU us/op b | a"
	for (j = 1; j <= n; j++) {
		k = order[j]; split(k, f, SUBSEP)
		if (!(has[k, "before"] && has[k, "ngnprod"]))
			continue
		b = v[k, "before", 5]; a = v[k, "ngnprod", 5]; rr = has[k, "raw"] ? v[k, "raw", 5] : 0
		printf "%-4s %-13s %5s | %9s %9s %6s | %7s %7s | %7s %7s | %4s:%-4s | %s | %s\n", \
			sc(f[1]), f[2], f[3], num(b), num(a), (b > 0 ? sprintf("%.2f", a / b) : "-"), \
			ms(v[k, "before", 7]), ms(v[k, "ngnprod", 7]), \
			(rr > 0 ? sprintf("%.2f", b / rr) : "-"), (rr > 0 ? sprintf("%.2f", a / rr) : "-"), \
			v[k, "before", 11], v[k, "ngnprod", 11], \
			v[k, "before", 17] "+" v[k, "before", 18], v[k, "ngnprod", 17] "+" v[k, "ngnprod", 18]
	}
	print "a/b = after/before calls/s; raw r = ratio to the raw baseline of the same run (the raw side runs"
	print "  the current statements); CPU us/op = ngnprod + mariadbd per call."
}
