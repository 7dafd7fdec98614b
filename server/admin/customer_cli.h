/* customer_cli.h: the `customer` command of ngnprod-admin: bootstrapping
 * customers and resellers without the SOAP Customer port (the first
 * reseller of a fresh install, or a repair). The same store calls as the
 * port (store_customer.c), so the record and the login it owns stay one. */
#ifndef NGN_CUSTOMER_CLI_H
#define NGN_CUSTOMER_CLI_H

struct db;

/* Runs one customer command on db. argv[0] is "customer", argv[1] the
 * subcommand:
 *   add USERNAME [--reseller N] [--first-name S] [--last-name S]
 *       [--organization S] [--email S] [--password-stdin]
 *   list [--reseller N] [--resellers]
 *   show ID
 *   delete ID
 * add without --reseller creates a reseller. The password comes from
 * NGNPROD_PASSWORD, from stdin with --password-stdin, or is generated and
 * printed once; show prints the clear password (it is the admin read that
 * NGNPro clients rely on). Returns the exit code: 0 done, 1 failed, 2 bad
 * arguments (usage printed). */
int customer_cli(struct db *db, int argc, char **argv);

#endif
