/*
 * ngx_http_rgw_module: S3 served by librgw's core from inside nginx.
 *
 * The module is a thin door onto the core's request API (<librgw/librgw.h>):
 * it passes nginx's request line, headers and body to an rgw_request_t and
 * streams the response back.  Every core call that may wait for the store
 * runs on the gateway's aio queue (I/O threads); completions come back
 * through the queue's eventfd into this worker's event loop, so nginx is
 * only ever entered from its own thread.  Reads the store can serve without
 * waiting (rgw_request_try_start) run on the loop itself, and a body that
 * is a file of the store is sent as a file buffer (sendfile).
 *
 *   ngx_http_rgw_module.c    directives, configuration, module hooks
 *   ngx_http_rgw_worker.c    per-worker gateways, the aio queue in the loop
 *   ngx_http_rgw_request.c   the content handler and the request's life
 *   ngx_http_rgw_body.c      the request body, streamed to the core
 *   ngx_http_rgw_response.c  status, headers and the body, streamed out
 */

#ifndef _NGX_HTTP_RGW_MODULE_H_INCLUDED_
#define _NGX_HTTP_RGW_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <librgw/librgw.h>


/*
 * One gateway: the settings of the locations that share it (locations whose
 * configurations the core says may share one: rgw_config_same_gateway()).
 * Its rgw_config_t is built while nginx reads the configuration, so that
 * "nginx -t" validates it; every worker opens it after fork().
 */
typedef struct {
    rgw_config_t              *config;
    ngx_str_t                  store;      /* for log messages */

    /* per worker process, from init_process */
    rgw_gateway_t             *gateway;    /* NULL: the store did not open */
    rgw_aio_queue_t           *queue;
    ngx_connection_t          *notify;     /* the queue's eventfd in the loop */
    ngx_uint_t                 requests;   /* live rgw_request_t */
    ngx_uint_t                 loop_reads; /* rgw_loop_reads: try on the loop */
    ngx_uint_t                 loop_writes; /* rgw_loop_writes: small PUTs too */
} ngx_http_rgw_gateway_t;


typedef struct {
    ngx_array_t                gateways;   /* of ngx_http_rgw_gateway_t */
    ngx_str_t                  threads;    /* rgw_threads as written */
    ngx_str_t                  loop_reads; /* rgw_loop_reads as written */
    ngx_str_t                  loop_writes; /* rgw_loop_writes as written */
} ngx_http_rgw_main_conf_t;


/*
 * The core's options as written in nginx.conf, one per rgw_<option>
 * directive (data NULL: not set here).  The core checks and parses them:
 * see ngx_http_rgw_set_option().  Only ngx_str_t fields: the merge walks
 * them as an array.
 */
typedef struct {
    ngx_str_t                  store;
    ngx_str_t                  region;
    ngx_str_t                  domains;    /* the arguments, comma separated */
    ngx_str_t                  max_object_size;
    ngx_str_t                  buffer_size;
    ngx_str_t                  swift_prefix;
} ngx_http_rgw_options_t;


typedef struct {
    ngx_flag_t                 enable;
    ngx_http_rgw_options_t     options;

    /* from the location's rgw_config_t, where rgw is on */
    size_t                     buffer_size;
    ngx_uint_t                 gateway;    /* index into the main conf's */

    u_char                    *enabled_in; /* "file:line" of "rgw on" */
} ngx_http_rgw_loc_conf_t;


typedef struct ngx_http_rgw_ctx_s  ngx_http_rgw_ctx_t;

/* What runs when the operation in flight completes, on the event loop. */
typedef void (*ngx_http_rgw_next_pt)(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, int result);


/*
 * A request's state.  It is allocated from the heap, not the request pool:
 * if nginx ever frees the request while a core operation is in flight, the
 * context (and the memory the I/O thread writes into) outlives it and the
 * completion frees it.
 */
struct ngx_http_rgw_ctx_s {
    ngx_http_request_t        *request;    /* NULL once nginx freed it */
    ngx_http_rgw_gateway_t    *gw;
    rgw_request_t             *rreq;
    size_t                     buffer_size;

    ngx_http_rgw_next_pt       next;

    /* request body: bufs taken from nginx, not yet all given to the core */
    ngx_chain_t               *body;

    /* response body */
    off_t                      rest;       /* bytes still to read from the core */
    ngx_chain_t               *free;
    ngx_chain_t               *busy;
    ngx_chain_t               *reading;    /* the buffer being filled */
    u_char                    *data[2];    /* the buffers' memory (heap) */
    ngx_uint_t                 nbufs;

    unsigned                   in_flight:1;
    unsigned                   responding:1;
};


extern ngx_module_t  ngx_http_rgw_module;


/* ngx_http_rgw_worker.c */
ngx_int_t ngx_http_rgw_init_worker(ngx_cycle_t *cycle);
void ngx_http_rgw_exit_worker(ngx_cycle_t *cycle);
ngx_int_t ngx_http_rgw_wait(ngx_http_rgw_ctx_t *ctx, int rc,
    ngx_http_rgw_next_pt next);
void ngx_http_rgw_aio_done(int result, void *arg);

/* ngx_http_rgw_request.c */
ngx_int_t ngx_http_rgw_handler(ngx_http_request_t *r);
void ngx_http_rgw_write_handler(ngx_http_request_t *r);
void ngx_http_rgw_fail(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    const char *what);
void ngx_http_rgw_ctx_free(ngx_http_rgw_ctx_t *ctx);

/* ngx_http_rgw_body.c */
void ngx_http_rgw_read_body(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx);
void ngx_http_rgw_skip_body(ngx_http_request_t *r);
ngx_int_t ngx_http_rgw_body_preread(ngx_http_request_t *r);
ngx_int_t ngx_http_rgw_body_small(ngx_http_request_t *r, size_t max);

/* ngx_http_rgw_response.c */
void ngx_http_rgw_respond(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx);
void ngx_http_rgw_flush(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx);


#endif /* _NGX_HTTP_RGW_MODULE_H_INCLUDED_ */
