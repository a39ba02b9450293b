#ifndef GODWIT_CPGQUERY_SHIM_H
#define GODWIT_CPGQUERY_SHIM_H
#include <pg_query.h>
#endif
