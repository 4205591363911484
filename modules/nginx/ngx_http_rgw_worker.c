/*
 * ngx_http_rgw_module: the gateways of one worker process.
 *
 * Each worker opens its gateways after fork (librados does not survive a
 * fork) and gives each an aio queue.  A queue's eventfd is watched by the
 * event loop; its handler runs the completions, which resume requests on
 * the loop.  No nginx function is ever called from an I/O thread.
 */

#include "ngx_http_rgw_module.h"


/*
 * While any operation is in flight, a timer keeps a gracefully exiting
 * worker (nginx -s reload, -s quit) alive: nginx leaves once no timers are
 * left, and a request waiting on the store has none of its own.  With
 * nothing in flight the timer is cancelable, so that it does not hold the
 * worker until it next fires.
 */
#define NGX_HTTP_RGW_GUARD_MSEC  1000

static ngx_uint_t   ngx_http_rgw_in_flight;
static ngx_event_t  ngx_http_rgw_guard;


static void ngx_http_rgw_queue_handler(ngx_event_t *ev);
static void ngx_http_rgw_guard_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_rgw_open_gateway(ngx_cycle_t *cycle,
    ngx_http_rgw_gateway_t *gw);


ngx_int_t
ngx_http_rgw_init_worker(ngx_cycle_t *cycle)
{
    ngx_uint_t                 i;
    ngx_http_rgw_gateway_t    *gw;
    ngx_http_rgw_main_conf_t  *rmcf;

    rmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_rgw_module);
    if (rmcf == NULL) {
        return NGX_OK;
    }

    ngx_http_rgw_guard.handler = ngx_http_rgw_guard_handler;
    ngx_http_rgw_guard.log = cycle->log;
    ngx_http_rgw_guard.data = cycle;

    gw = rmcf->gateways.elts;

    for (i = 0; i < rmcf->gateways.nelts; i++) {

        /*
         * A store that does not open (cluster down, directory not
         * writable) leaves the worker running: its locations answer 503
         * and the error log says why.
         */

        if (ngx_http_rgw_open_gateway(cycle, &gw[i]) != NGX_OK)
        {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                          "rgw: store \"%V\" did not open: %s; "
                          "its locations answer 503",
                          &gw[i].store, rgw_last_error());
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_rgw_open_gateway(ngx_cycle_t *cycle, ngx_http_rgw_gateway_t *gw)
{
    int                fd;
    uint64_t           threads, loop_reads, loop_writes;
    ngx_event_t       *rev;
    ngx_connection_t  *c;

    /* rgw_threads, checked by the core; 0: the store driver's default */

    if (rgw_config_get_uint(gw->config, "threads", &threads) < 0
        || rgw_config_get_uint(gw->config, "loop_reads", &loop_reads) < 0
        || rgw_config_get_uint(gw->config, "loop_writes", &loop_writes) < 0)
    {
        return NGX_ERROR;
    }

    gw->loop_reads = loop_reads;
    gw->loop_writes = loop_writes;

    if (rgw_gateway_open(gw->config, &gw->gateway) < 0) {
        gw->gateway = NULL;
        return NGX_ERROR;
    }

    if (rgw_aio_queue_create(rgw_gateway_store(gw->gateway),
                             (unsigned) threads, &gw->queue)
        < 0)
    {
        goto failed;
    }

    /* as ngx_add_channel_event() does, with the gateway as c->data */

    fd = rgw_aio_queue_fd(gw->queue);

    c = ngx_get_connection(fd, cycle->log);
    if (c == NULL) {
        goto failed;
    }

    c->pool = cycle->pool;
    c->data = gw;

    rev = c->read;
    rev->log = cycle->log;
    c->write->log = cycle->log;
    rev->channel = 1;
    c->write->channel = 1;
    rev->handler = ngx_http_rgw_queue_handler;

    /* level-triggered: the handler drains the eventfd every time */

    if (ngx_add_event(rev, NGX_READ_EVENT, 0) != NGX_OK) {
        ngx_free_connection(c);
        goto failed;
    }

    gw->notify = c;

    return NGX_OK;

failed:

    if (gw->queue) {
        rgw_aio_queue_destroy(gw->queue);
        gw->queue = NULL;
    }

    rgw_gateway_close(gw->gateway);
    gw->gateway = NULL;

    return NGX_ERROR;
}


void
ngx_http_rgw_exit_worker(ngx_cycle_t *cycle)
{
    ngx_uint_t                 i;
    ngx_connection_t          *c;
    ngx_http_rgw_gateway_t    *gw;
    ngx_http_rgw_main_conf_t  *rmcf;

    rmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_rgw_module);
    if (rmcf == NULL) {
        return;
    }

    if (ngx_http_rgw_guard.timer_set) {
        ngx_del_timer(&ngx_http_rgw_guard);
    }

    gw = rmcf->gateways.elts;

    for (i = 0; i < rmcf->gateways.nelts; i++) {

        c = gw[i].notify;

        if (c) {
            /* the queue owns and closes the eventfd */
            if (c->read->active) {
                ngx_del_event(c->read, NGX_READ_EVENT, 0);
            }
            c->fd = (ngx_socket_t) -1;
            ngx_free_connection(c);
            gw[i].notify = NULL;
        }

        if (gw[i].queue) {
            /* waits for operations still running; their callbacks are dropped */
            rgw_aio_queue_destroy(gw[i].queue);
            gw[i].queue = NULL;
        }

        /*
         * After a fast shutdown (SIGTERM) requests may still be open; the
         * gateway must outlive them, and the process is ending anyway.
         */

        if (gw[i].gateway && gw[i].requests == 0) {
            rgw_gateway_close(gw[i].gateway);
        }

        gw[i].gateway = NULL;
    }
}


/*
 * Called with the return of an rgw_aio_*() call made with
 * ngx_http_rgw_aio_done and ctx: the request now waits for it.  While it
 * waits, r->main->blocked keeps nginx from freeing the request.
 */

ngx_int_t
ngx_http_rgw_wait(ngx_http_rgw_ctx_t *ctx, int rc, ngx_http_rgw_next_pt next)
{
    ngx_http_request_t  *r = ctx->request;

    if (rc < 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "rgw: cannot start a store operation: %s",
                      rgw_last_error());
        return NGX_ERROR;
    }

    r->main->blocked++;
    ctx->in_flight = 1;
    ctx->next = next;

    if (ngx_http_rgw_in_flight++ == 0) {
        ngx_http_rgw_guard.cancelable = 0;

        if (!ngx_http_rgw_guard.timer_set) {
            ngx_add_timer(&ngx_http_rgw_guard, NGX_HTTP_RGW_GUARD_MSEC);
        }
    }

    return NGX_OK;
}


/* The completion of every operation: runs on the event loop. */

void
ngx_http_rgw_aio_done(int result, void *arg)
{
    ngx_http_rgw_ctx_t  *ctx = arg;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    if (--ngx_http_rgw_in_flight == 0) {
        ngx_http_rgw_guard.cancelable = 1;
    }

    ctx->in_flight = 0;

    r = ctx->request;

    if (r == NULL) {
        /* nginx freed the request meanwhile; only the context is left */
        ngx_http_rgw_ctx_free(ctx);
        return;
    }

    c = r->connection;
    r->main->blocked--;

    ngx_http_set_log_request(c->log, r);

    if (r->write_event_handler != ngx_http_rgw_write_handler) {
        /*
         * nginx terminated the request while the operation ran (client
         * gone, timeout) and left its finalizer in our place.
         */
        r->write_event_handler(r);

    } else {
        ctx->next(r, ctx, result);
    }

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_rgw_queue_handler(ngx_event_t *ev)
{
    ngx_connection_t        *c = ev->data;
    ngx_http_rgw_gateway_t  *gw = c->data;

    rgw_aio_queue_run(gw->queue);
}


static void
ngx_http_rgw_guard_handler(ngx_event_t *ev)
{
    if (ngx_http_rgw_in_flight) {
        ngx_add_timer(ev, NGX_HTTP_RGW_GUARD_MSEC);
    }
}
