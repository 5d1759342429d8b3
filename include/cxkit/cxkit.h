/**
 * @file cxkit.h
 * @brief Umbrella header: include this one to use libcxkit.
 */
#ifndef CXKIT_CXKIT_H
#define CXKIT_CXKIT_H

#include "cxkit/common.h"
#include "cxkit/version.h"
#include "cxkit/time.h"
#include "cxkit/store.h"
#include "cxkit/io.h"
#include "cxkit/db.h"
#include "cxkit/calendar.h"
#include "cxkit/result.h"
#include "cxkit/metrics.h"
#include "cxkit/journey.h"
#include "cxkit/lifecycle.h"
#include "cxkit/text.h"
#include "cxkit/cycles.h"

#endif
