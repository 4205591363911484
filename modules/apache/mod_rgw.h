/*
 * mod_rgw: S3 served by librgw's core from inside Apache httpd 2.4.
 *
 * The module is a door: it hands the core each request's method, target
 * and headers, streams the body in and the response out, and keeps no
 * protocol logic of its own.  Its parts:
 *
 *   mod_rgw.c      the module record, directives, per-directory config
 *   rgw_gateway.c  the gateways: planned at start-up (check_config),
 *                  opened in each child (child_init), found per request
 *   rgw_handler.c  the handler: request, body in, response out
 *
 * Apache gives each request a thread (event, worker) or a process
 * (prefork): the handler calls the core's synchronous request API there.
 */

#ifndef MOD_RGW_H
#define MOD_RGW_H

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include "apr_strings.h"

#include <librgw/librgw.h>

/* The handler's name: r->handler of requests mod_rgw serves. */
#define RGW_HANDLER "rgw"

/* The core's options a directive sets, by index in rgw_dir_conf_t.option. */
typedef enum {
    RGW_STORE,
    RGW_REGION,
    RGW_DOMAINS,
    RGW_MAX_OBJECT_SIZE,
    RGW_SWIFT_PREFIX,
    RGW_BUFFER_SIZE,
    RGW_NOPTIONS
} rgw_option_e;

/* The options that choose a gateway (the rest are the door's own). */
#define RGW_GATEWAY_OPTIONS RGW_BUFFER_SIZE

/* Per-directory configuration (server, <VirtualHost>, <Location>,
 * <Directory>): what was set there; the merge inherits the rest. */
typedef struct {
    int enable;                          /* RGW On|Off; -1: not set */
    const char *enabled_at;              /* "file:line" of RGW On */
    const char *option[RGW_NOPTIONS];    /* the directives' values; NULL: not set */
    const void *domains_line;            /* the RGWDomains line being read */
    apr_size_t buffer_size;              /* RGWBufferSize in bytes; 0: not set */
} rgw_dir_conf_t;

extern module AP_MODULE_DECLARE_DATA rgw_module;

/* The core's name of an option ("store"), and its directive ("RGWStore"). */
const char *rgw_option_name(rgw_option_e option);
const char *rgw_option_directive(rgw_option_e option);

void *rgw_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);

/* rgw_gateway.c */
int rgw_plan_gateways(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void rgw_open_gateways(apr_pool_t *pchild, server_rec *s);
apr_size_t rgw_default_buffer_size(void);

/* The gateway serving conf's options (opened on first use if no section
 * had exactly them at start-up), or NULL with *status the HTTP status to
 * answer (503: the store could not be opened in this child). */
rgw_gateway_t *rgw_gateway_for(request_rec *r, const rgw_dir_conf_t *conf, int *status);

/* rgw_handler.c */
int rgw_handler(request_rec *r);

#endif /* MOD_RGW_H */
