/*
 * ngx_http_rgw_module: the content handler and a request's life.
 *
 *   handler    -> rgw_aio_request_try_start (GET, HEAD: on the event loop
 *                 where the store need not wait, or with an asynchronous
 *                 RADOS read; else on an I/O thread) or rgw_aio_request_start
 *   started    -> wants the body: ngx_http_rgw_read_body (body.c)
 *              -> response ready: ngx_http_rgw_respond (response.c)
 *
 * The content handler takes a reference (r->main->count) that the last
 * ngx_http_finalize_request() drops; every operation in flight holds
 * r->main->blocked (ngx_http_rgw_wait).
 */

#include "ngx_http_rgw_module.h"


static void ngx_http_rgw_started(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, int result);
static ngx_int_t ngx_http_rgw_add_headers(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx);
static void ngx_http_rgw_cleanup(void *data);
static void ngx_http_rgw_small_body_read(ngx_http_request_t *r);


ngx_int_t
ngx_http_rgw_handler(ngx_http_request_t *r)
{
    int                        rc;
    u_char                    *method, *uri;
    ngx_uint_t                 on_loop;
    ngx_pool_cleanup_t        *cln;
    ngx_http_rgw_ctx_t        *ctx;
    ngx_http_rgw_gateway_t    *gw;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_http_rgw_loc_conf_t   *rlcf;
    ngx_http_rgw_main_conf_t  *rmcf;

    rlcf = ngx_http_get_module_loc_conf(r, ngx_http_rgw_module);

    if (!rlcf->enable) {
        return NGX_DECLINED;
    }

    if (r != r->main) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "rgw: subrequests are not served");
        return NGX_HTTP_FORBIDDEN;
    }

    rmcf = ngx_http_get_module_main_conf(r, ngx_http_rgw_module);
    gw = (ngx_http_rgw_gateway_t *) rmcf->gateways.elts + rlcf->gateway;

    if (gw->gateway == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "rgw: store \"%V\" is not open in this worker",
                      &gw->store);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    ctx = ngx_calloc(sizeof(ngx_http_rgw_ctx_t), r->connection->log);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;
    ctx->gw = gw;
    ctx->buffer_size = rlcf->buffer_size;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_free(ctx);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_rgw_cleanup;
    cln->data = ctx;

    /* the method and the request target exactly as received */

    method = ngx_pnalloc(r->pool, r->method_name.len + 1);
    uri = ngx_pnalloc(r->pool, r->unparsed_uri.len + 1);
    if (method == NULL || uri == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *ngx_cpymem(method, r->method_name.data, r->method_name.len) = '\0';
    *ngx_cpymem(uri, r->unparsed_uri.data, r->unparsed_uri.len) = '\0';

    if (rgw_request_create(gw->gateway, (char *) method, (char *) uri,
                           &ctx->rreq)
        < 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "rgw: cannot create a request: %s", rgw_last_error());
        ctx->rreq = NULL;
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    gw->requests++;

    /*
     * The first buffer of the body comes back with the response: a small
     * GET costs one trip to an I/O thread.
     */
    (void) rgw_request_set_readahead(ctx->rreq, rlcf->buffer_size);

    /* a body that is a file of the store is sent as a file (sendfile) */
    (void) rgw_request_allow_file(ctx->rreq, 1);

    /* a body the store holds in memory is sent from there, without a copy */
    (void) rgw_request_allow_memory(ctx->rreq, 1);

    /* the client's address, for the core's IP conditions */

    if (r->connection->addr_text.len && r->connection->addr_text.len <= 64) {
        u_char  addr[65];

        *ngx_cpymem(addr, r->connection->addr_text.data,
                    r->connection->addr_text.len) = '\0';
        (void) rgw_request_set_remote_addr(ctx->rreq, (char *) addr);
    }

    if (ngx_http_rgw_add_headers(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_rgw_module);

    r->write_event_handler = ngx_http_rgw_write_handler;

    /* a small response must not wait for Nagle and a delayed ACK */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->tcp_nodelay && ngx_tcp_nodelay(r->connection) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /*
     * A read the store can serve without waiting (a GET or HEAD on a local
     * store, no lock held by a writer) starts right here on the event loop;
     * on RADOS the object's read is submitted from here and the request
     * resumes on the loop when it completes.  Anything else, or a store
     * that would wait, goes to an I/O thread.
     */

    on_loop = 0;

    if (gw->loop_writes && !ngx_http_rgw_body_preread(r)
        && ngx_http_rgw_body_small(r, rlcf->buffer_size))
    {
        /*
         * A small PUT whose body is still on its way: read into memory
         * first, then tried on the loop whole (ngx_http_rgw_small_body_read).
         */

        r->request_body_in_single_buf = 1;

        rc = ngx_http_read_client_request_body(r, ngx_http_rgw_small_body_read);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    if (ngx_http_rgw_body_preread(r)) {

        /*
         * The whole body came with the headers (a small PUT, most often):
         * it goes with the start, tried on the event loop (rgw_loop_writes:
         * on RADOS the writer's waits suspend the request there) or in one
         * trip to an I/O thread.  The answer is RGW_REQUEST_DONE either
         * way, and ngx_http_rgw_started() skips the body's bytes in nginx's
         * buffer as after any answer.
         */

        if (gw->loop_writes) {
            on_loop = 1;
            rc = rgw_aio_request_try_start_body(gw->queue, ctx->rreq,
                                     r->header_in->pos,
                                     (size_t) r->headers_in.content_length_n,
                                     ngx_http_rgw_aio_done, ctx);

        } else {
            rc = rgw_aio_request_start_body(gw->queue, ctx->rreq,
                                     r->header_in->pos,
                                     (size_t) r->headers_in.content_length_n,
                                     ngx_http_rgw_aio_done, ctx);
        }

    } else if (gw->loop_reads) {
        on_loop = 1;
        rc = rgw_aio_request_try_start(gw->queue, ctx->rreq,
                                       ngx_http_rgw_aio_done, ctx);

    } else {
        rc = rgw_aio_request_start(gw->queue, ctx->rreq,
                                   ngx_http_rgw_aio_done, ctx);
    }

    if (on_loop) {

        if (rc >= 0) {
            /* done on the loop: the callback is not called */
            r->main->count++;
            ngx_http_rgw_started(r, ctx, rc);
            return NGX_DONE;
        }

        if (rc == -EINPROGRESS) {
            rc = 0;             /* the callback runs as for an I/O thread */
        }
    }

    if (ngx_http_rgw_wait(ctx, rc, ngx_http_rgw_started) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->main->count++;

    return NGX_DONE;
}


/*
 * The small PUT's body is in memory: it goes with the start, tried on the
 * event loop as a body that came with the headers.  The body is nginx's
 * now (ngx_http_rgw_skip_body() finds it read); its memory, from the
 * request's pool, outlives the store's use of it.
 */

static void
ngx_http_rgw_small_body_read(ngx_http_request_t *r)
{
    int                      rc;
    size_t                   len;
    u_char                  *data, *p;
    ngx_buf_t               *b;
    ngx_chain_t             *cl;
    ngx_http_rgw_ctx_t      *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_rgw_module);

    /* ngx_http_read_client_request_body() put an empty handler there */
    r->write_event_handler = ngx_http_rgw_write_handler;

    len = 0;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl; cl = cl->next)
    {
        if (!ngx_buf_in_memory(cl->buf)) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "rgw: request body buffered in a file");
            ngx_http_rgw_fail(r, ctx, "request body");
            return;
        }

        len += ngx_buf_size(cl->buf);
    }

    if ((off_t) len != r->headers_in.content_length_n) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "rgw: request body of %uz bytes, not %O", len,
                      r->headers_in.content_length_n);
        ngx_http_rgw_fail(r, ctx, "request body");
        return;
    }

    b = r->request_body->bufs->buf;
    data = b->pos;

    if (r->request_body->bufs->next) {
        data = ngx_pnalloc(r->pool, len);
        if (data == NULL) {
            ngx_http_rgw_fail(r, ctx, "request body");
            return;
        }

        p = data;

        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            p = ngx_cpymem(p, cl->buf->pos, ngx_buf_size(cl->buf));
        }
    }

    rc = rgw_aio_request_try_start_body(ctx->gw->queue, ctx->rreq, data, len,
                                        ngx_http_rgw_aio_done, ctx);

    if (rc >= 0) {
        ngx_http_rgw_started(r, ctx, rc);
        return;
    }

    if (rc == -EINPROGRESS) {
        rc = 0;                 /* the callback runs as for an I/O thread */
    }

    if (ngx_http_rgw_wait(ctx, rc, ngx_http_rgw_started) != NGX_OK) {
        ngx_http_rgw_fail(r, ctx, "request start");
    }
}


static ngx_int_t
ngx_http_rgw_add_headers(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (rgw_request_add_header(ctx->rreq, (char *) h[i].key.data,
                                   h[i].key.len, (char *) h[i].value.data,
                                   h[i].value.len)
            < 0)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "rgw: cannot add a header: %s", rgw_last_error());
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static void
ngx_http_rgw_started(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    int result)
{
    if (result < 0) {
        ngx_http_rgw_fail(r, ctx, "request start");
        return;
    }

    if (result == RGW_REQUEST_WANTS_BODY) {
        ngx_http_rgw_read_body(r, ctx);
        return;
    }

    /* answered from the headers alone (errors too): no body is read */

    ngx_http_rgw_skip_body(r);
    ngx_http_rgw_respond(r, ctx);
}


/*
 * The write event handler for the whole request.  It tells nginx's
 * finalizer apart from us: ngx_http_rgw_aio_done resumes only requests
 * that still have this handler.
 */

void
ngx_http_rgw_write_handler(ngx_http_request_t *r)
{
    ngx_event_t         *wev;
    ngx_http_rgw_ctx_t  *ctx;

    wev = r->connection->write;

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, NGX_ETIMEDOUT,
                      "client timed out");
        r->connection->timedout = 1;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_rgw_module);

    if (ctx == NULL || !ctx->responding) {
        return;
    }

    ngx_http_rgw_flush(r, ctx);
}


void
ngx_http_rgw_fail(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    const char *what)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "rgw: %s failed: %s", what, rgw_last_error());

    ctx->responding = 1;
    r->read_event_handler = ngx_http_block_reading;

    ngx_http_finalize_request(r, r->header_sent
                                 ? NGX_ERROR
                                 : NGX_HTTP_INTERNAL_SERVER_ERROR);
}


static void
ngx_http_rgw_cleanup(void *data)
{
    ngx_http_rgw_ctx_t  *ctx = data;

    if (ctx->in_flight) {
        /* an I/O thread still uses it: the completion frees it */
        ctx->request = NULL;
        return;
    }

    ngx_http_rgw_ctx_free(ctx);
}


void
ngx_http_rgw_ctx_free(ngx_http_rgw_ctx_t *ctx)
{
    if (ctx->rreq) {
        rgw_request_free(ctx->rreq);
        ctx->gw->requests--;
    }

    if (ctx->data[0]) {
        ngx_free(ctx->data[0]);
    }

    if (ctx->data[1]) {
        ngx_free(ctx->data[1]);
    }

    ngx_free(ctx);
}
