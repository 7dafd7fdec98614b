/* main.c: placeholder until the front end lands (it is on main). It refers
 * to the SOAP edge so that the program links in every configuration: with
 * --enable-sanitizers libgsoap.so stays on the link line and needs the
 * generated symbols (namespaces[], soap_getheader, ...) that libngn holds. */
#include <stdio.h>
#include "soap_setup.h"

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "ngnprod: the server front end is not on this branch\n");
		return soap_setup_new(&(struct soap_limits){ 0 }) == NULL ? 2 : 1;
	}
	return 0;
}
