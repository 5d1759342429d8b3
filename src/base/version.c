/* Run-time version, to compare with the CX_VERSION_NUMBER a caller compiled against. */
#include "cxkit/version.h"

int cx_version(void) { return CX_VERSION_NUMBER; }
const char *cx_version_string(void) { return CX_VERSION_STRING; }
