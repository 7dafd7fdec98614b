# common.sh: helpers for the test scripts (sourced).
# ngn_free_port: prints a TCP port of 127.0.0.1 that is free right now
# (the kernel picks it; the window until the caller binds it is tiny).
ngn_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
	|| perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1",LocalPort=>0)->sockport, "\n"'
}
