# callgrind-summary.awk: callgrind_annotate --threshold=100 output -> the
# instructions per request by shared object (profile.sh; -v n=REQUESTS).
# callgrind_annotate also lists a few thread and loop entry points with their
# inclusive cost (clone, start_thread, main, event_base_dispatch, ...): they
# are skipped; everything else is self cost.
/^-+$/ { sep++; next }
sep >= 3 && $1 ~ /^[0-9,]+$/ {
	v = $1; gsub(",", "", v)
	if ($0 ~ /PROGRAM TOTALS/) { tot = v; next }
	if ($0 ~ /:(clone|start_thread|front_run|event_base_dispatch|main|\(below main\)|__libc_start_main[^ ]*|0x000000000001ab70) \[/)
		next
	lib = "other"
	if ($0 ~ /memset/) lib = "libc memset (rep stos, counted per byte)"
	else if ($0 ~ /libgsoap/) lib = "gSOAP runtime"
	else if ($0 ~ /libmariadb/) lib = "libmariadb"
	else if ($0 ~ /libevent/) lib = "libevent"
	else if ($0 ~ /libcrypto/) lib = "libcrypto (login HMAC)"
	else if ($0 ~ /libc\.so/) lib = "libc (malloc, str*, printf)"
	else if ($0 ~ /\[.*ngnprod\]/) lib = "ngnprod + generated stubs"
	t[lib] += v; seen += v
}
END {
	printf "instructions per request: %.0f\n", tot / n
	for (l in t) printf "  %-42s %9.0f  %5.1f%%\n", l, t[l] / n, 100 * t[l] / tot
	printf "  %-42s %9.0f  %5.1f%%\n", "(below the listing threshold)", (tot - seen) / n, 100 * (tot - seen) / tot
}
