/* status.h: the one status type of ngnprod's internals.
 *
 * Every function below the SOAP edge returns an enum ngn_status (NGN_OK == 0)
 * and puts results in out-parameters. Only the SOAP handlers turn a status into
 * a fault, through fault.c, which owns the mapping to NGNPro error codes and to
 * SOAP-ENV:Client (the caller's fault) or SOAP-ENV:Server (ours). Adding a
 * status means adding its row to the table in fault.c and to the README's
 * fault-code table; check_fault.c fails when a status has no row.
 */
#ifndef NGN_STATUS_H
#define NGN_STATUS_H

enum ngn_status {
	NGN_OK = 0,
	/* entities (NGNPro's xx0 = does not exist, xx1 = exists pattern) */
	NGN_E_DOMAIN_NOT_FOUND,      /* 1000 */
	NGN_E_DOMAIN_EXISTS,         /* 1001 */
	NGN_E_DOMAIN_NOT_EMPTY,      /* 1002 */
	NGN_E_ACCOUNT_NOT_FOUND,     /* 1010 */
	NGN_E_ACCOUNT_EXISTS,        /* 1011 */
	NGN_E_ALIAS_NOT_FOUND,       /* 1020 */
	NGN_E_ALIAS_EXISTS,          /* 1021 */
	NGN_E_ALIAS_IS_ACCOUNT,      /* 1022 */
	NGN_E_NOT_IN_GROUP,          /* 1031 */
	/* prepaid */
	NGN_E_NOT_PREPAID,           /* 2000 */
	NGN_E_VOUCHER_INVALID,       /* 2010 */
	NGN_E_VOUCHER_THROTTLED,     /* 2011 */
	NGN_E_INSUFFICIENT_BALANCE,  /* 2020 */
	NGN_E_INVALID_AMOUNT,        /* 2021 */
	/* customers (Customer port) */
	NGN_E_CUSTOMER_NOT_FOUND,    /* 5000 */
	NGN_E_CUSTOMER_EXISTS,       /* 5001 */
	/* login and rights */
	NGN_E_AUTH_MISSING,          /* 3000 */
	NGN_E_AUTH_FAILED,           /* 3001 */
	NGN_E_FORBIDDEN,             /* 3002 */
	/* input validation */
	NGN_E_BAD_REQUEST,           /* 4000 */
	NGN_E_UNKNOWN_METHOD,        /* 4001 */
	NGN_E_MISSING_FIELD,         /* 4002 */
	NGN_E_INVALID_USERNAME,      /* 4003 */
	NGN_E_INVALID_DOMAIN,        /* 4004 */
	NGN_E_INVALID_EMAIL,         /* 4005 */
	NGN_E_INVALID_GROUP,         /* 4006 */
	NGN_E_INVALID_PASSWORD,      /* 4007 */
	NGN_E_INVALID_VALUE,         /* 4008 */
	NGN_E_INVALID_QUERY,         /* 4009 */
	NGN_E_INVALID_ACL,           /* 4010 */
	NGN_E_INVALID_PROPERTY,      /* 4011 */
	NGN_E_TOO_LARGE,             /* 4012 */
	/* ours */
	NGN_E_DB_UNAVAILABLE,        /* 9000 */
	NGN_E_DB,                    /* 9001 */
	NGN_E_INTERNAL,              /* 9002 */
	NGN_E_OVERLOADED,            /* 9003 */
	NGN_E_CONFLICT,              /* 9004: a concurrent change won; retrying is safe */
	NGN_STATUS_COUNT
};

#endif
