/* voucher_cli.h: the `voucher` command of ngnprod-admin (prepaid card
 * batches: create, list, disable). */
#ifndef NGN_VOUCHER_CLI_H
#define NGN_VOUCHER_CLI_H

struct db;

/* Runs one voucher command on db. argv[0] is the command word ("voucher"),
 * argv[1] the subcommand:
 *   create --count N --value V [--expires YYYY-MM-DD] [--name NAME] --csv FILE
 *   list
 *   disable BATCH_ID
 * Options also take the --opt=value form. create writes the new cards (card
 * id, number, value, expiry) once to FILE, which must not exist yet, and only
 * then enables the batch. Prints results on stdout and errors and usage on
 * stderr. Returns the process exit code: 0 done, 1 failed (database, file),
 * 2 bad arguments (usage printed). */
int voucher_cli(struct db *db, int argc, char **argv);

#endif
