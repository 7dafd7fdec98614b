/* soap_pending.c: TEMPORARY link placeholders for operations not yet
 * implemented on this branch. Each helper deletes the entries it implements;
 * this file must be empty and removed before anything lands on main. */
#include "soapH.h"
#include "fault.h"

