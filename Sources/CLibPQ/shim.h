#ifndef GODWIT_CLIBPQ_SHIM_H
#define GODWIT_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <postgres_ext.h>

/* libpq's PG_DIAG_* macros are character literals that Swift does not import. */
static const int GODWIT_PG_DIAG_SEVERITY = 'S';
static const int GODWIT_PG_DIAG_SEVERITY_NONLOCALIZED = 'V';
static const int GODWIT_PG_DIAG_SQLSTATE = 'C';
static const int GODWIT_PG_DIAG_MESSAGE_PRIMARY = 'M';
static const int GODWIT_PG_DIAG_MESSAGE_DETAIL = 'D';
static const int GODWIT_PG_DIAG_MESSAGE_HINT = 'H';
static const int GODWIT_PG_DIAG_STATEMENT_POSITION = 'P';
static const int GODWIT_PG_DIAG_INTERNAL_POSITION = 'p';
static const int GODWIT_PG_DIAG_CONTEXT = 'W';
#endif
