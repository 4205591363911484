/*
 * ngx_http_rgw_module: the request body, streamed to the core.
 *
 * nginx reads the body unbuffered (no temporary file): each buffer it fills
 * is handed to rgw_aio_request_body(), and marked consumed (b->pos = b->last)
 * only when that call completes, so nginx never reuses memory an I/O thread
 * is reading.  Until then nginx stops reading from the client: TCP flow
 * control slows the client down to the store's pace, and memory stays at
 * one client_body_buffer_size per request.
 *
 *   read_body -> body_post -> feed -> body_fed -> feed ... -> body_ended
 *              (the last buffer, with the end: -> body_fed -> respond)
 *
 * A body that nginx read whole with the headers skips all this: it goes to
 * the core with the start (ngx_http_rgw_body_preread()), and so does a
 * small PUT body read into memory first (ngx_http_rgw_body_small()).
 */

#include "ngx_http_rgw_module.h"


static void ngx_http_rgw_body_post(ngx_http_request_t *r);
static void ngx_http_rgw_body_read_handler(ngx_http_request_t *r);
static void ngx_http_rgw_feed(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx);
static void ngx_http_rgw_body_fed(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, int result);
static void ngx_http_rgw_body_ended(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, int result);


/* The core accepted the headers and wants the body ("100 Continue" now). */

void
ngx_http_rgw_read_body(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    ngx_int_t  rc;

    r->request_body_no_buffering = 1;

    rc = ngx_http_read_client_request_body(r, ngx_http_rgw_body_post);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        ctx->responding = 1;
        ngx_http_finalize_request(r, rc);
        return;
    }

    /* drops the reference ngx_http_read_client_request_body() took */
    ngx_http_finalize_request(r, NGX_DONE);
}


/*
 * The whole body is in nginx's header buffer already: HTTP/1.x, a
 * Content-Length (not chunked), no "Expect: 100-continue" (the client
 * waits for an answer before it sends), and that many bytes read past the
 * headers.  Such a body is read from there until the request ends.
 */

ngx_int_t
ngx_http_rgw_body_preread(ngx_http_request_t *r)
{
    if (r->http_version > NGX_HTTP_VERSION_11
        || r->headers_in.content_length_n <= 0
        || r->headers_in.chunked
        || r->headers_in.expect
        || r->header_in == NULL)
    {
        return 0;
    }

    return r->header_in->last - r->header_in->pos
           >= r->headers_in.content_length_n;
}


/*
 * A small PUT body that did not come whole with the headers (a client that
 * writes its headers and its body apart, as Python's http.client does),
 * worth reading into memory before the core starts, so that the PUT can be
 * tried on the event loop with its whole body: HTTP/1.x, a Content-Length
 * of at most max bytes that fits client_body_buffer_size (never a
 * temporary file), not chunked, and no "Expect: 100-continue" (such a
 * client waits for the answer to its headers before it sends the body).
 */

ngx_int_t
ngx_http_rgw_body_small(ngx_http_request_t *r, size_t max)
{
    ngx_http_core_loc_conf_t  *clcf;

    if (r->method != NGX_HTTP_PUT
        || r->http_version > NGX_HTTP_VERSION_11
        || r->headers_in.content_length_n <= 0
        || r->headers_in.chunked
        || r->headers_in.expect)
    {
        return 0;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    return r->headers_in.content_length_n <= (off_t) max
           && r->headers_in.content_length_n
              <= (off_t) clcf->client_body_buffer_size;
}


/*
 * The core answered without the body (an error, or an operation that has
 * none).  A client waiting for "100 Continue" is told no by the answer and
 * a closed connection; any other body is read and dropped, so that the
 * connection can be kept alive.
 */

void
ngx_http_rgw_skip_body(ngx_http_request_t *r)
{
    if (r->headers_in.content_length_n <= 0 && !r->headers_in.chunked) {
        return;
    }

    if (r->headers_in.expect) {
        r->expect_tested = 1;
        r->keepalive = 0;
        r->lingering_close = 1;
        return;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }
}


static void
ngx_http_rgw_body_post(ngx_http_request_t *r)
{
    ngx_http_rgw_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_rgw_module);

    /* ngx_http_read_client_request_body() put an empty handler there */
    r->write_event_handler = ngx_http_rgw_write_handler;
    r->read_event_handler = ngx_http_rgw_body_read_handler;

    ngx_http_rgw_feed(r, ctx);
}


static void
ngx_http_rgw_body_read_handler(ngx_http_request_t *r)
{
    ngx_http_rgw_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_rgw_module);

    if (ctx->in_flight || ctx->responding) {
        /* the completion reads on (a timeout is seen there) */
        return;
    }

    ngx_http_rgw_feed(r, ctx);
}


/*
 * Gives the core the next buffer nginx has read, reads more from the client
 * when all are given, and ends the body when the client has sent it all.
 */

static void
ngx_http_rgw_feed(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    int         rc;
    ngx_int_t   nrc;
    ngx_buf_t  *b;

    for ( ;; ) {

        while (ctx->body) {
            b = ctx->body->buf;

            if (ngx_buf_size(b) > 0) {

                if (!ngx_buf_in_memory(b)) {
                    ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                                  "rgw: request body buffered in a file");
                    ngx_http_rgw_fail(r, ctx, "request body");
                    return;
                }

                if (ctx->body->next == NULL && r->request_body->bufs == NULL
                    && !r->reading_body)
                {
                    /*
                     * The last buffer (a small body often comes whole with
                     * the headers): fed and ended in one trip, whose
                     * answer is RGW_REQUEST_DONE as for a refusal.
                     */
                    rc = rgw_aio_request_body_last(ctx->gw->queue, ctx->rreq,
                                                   b->pos, b->last - b->pos,
                                                   ngx_http_rgw_aio_done,
                                                   ctx);

                    if (ngx_http_rgw_wait(ctx, rc, ngx_http_rgw_body_fed)
                        != NGX_OK)
                    {
                        ngx_http_rgw_fail(r, ctx, "request body");
                    }

                    return;
                }

                rc = rgw_aio_request_body(ctx->gw->queue, ctx->rreq, b->pos,
                                          b->last - b->pos,
                                          ngx_http_rgw_aio_done, ctx);

                if (ngx_http_rgw_wait(ctx, rc, ngx_http_rgw_body_fed)
                    != NGX_OK)
                {
                    ngx_http_rgw_fail(r, ctx, "request body");
                }

                return;
            }

            ctx->body = ctx->body->next;
        }

        if (r->request_body->bufs) {
            ctx->body = r->request_body->bufs;
            r->request_body->bufs = NULL;
            continue;
        }

        if (!r->reading_body) {
            rc = rgw_aio_request_body_end(ctx->gw->queue, ctx->rreq,
                                          ngx_http_rgw_aio_done, ctx);

            if (ngx_http_rgw_wait(ctx, rc, ngx_http_rgw_body_ended)
                != NGX_OK)
            {
                ngx_http_rgw_fail(r, ctx, "request body end");
            }

            return;
        }

        nrc = ngx_http_read_unbuffered_request_body(r);

        if (nrc >= NGX_HTTP_SPECIAL_RESPONSE) {
            /* client gone, timed out or sent a bad chunk: nothing is stored */
            ctx->responding = 1;
            r->read_event_handler = ngx_http_block_reading;
            ngx_http_finalize_request(r, nrc);
            return;
        }

        if (r->request_body->bufs == NULL && r->reading_body) {
            /* NGX_AGAIN: the read handler runs when the client sends more */
            return;
        }
    }
}


static void
ngx_http_rgw_body_fed(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    int result)
{
    ngx_buf_t  *b;

    if (result < 0) {
        ngx_http_rgw_fail(r, ctx, "request body");
        return;
    }

    b = ctx->body->buf;
    b->pos = b->last;
    ctx->body = ctx->body->next;

    if (result == RGW_REQUEST_DONE) {
        /*
         * Refused mid-body (a bad chunk signature, too large): answer now
         * and read no more; nginx closes the connection after the answer,
         * so the answer must not say "keep-alive".
         */
        if (r->reading_body) {
            r->keepalive = 0;
        }

        ngx_http_rgw_respond(r, ctx);
        return;
    }

    ngx_http_rgw_feed(r, ctx);
}


static void
ngx_http_rgw_body_ended(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    int result)
{
    if (result < 0) {
        ngx_http_rgw_fail(r, ctx, "request body end");
        return;
    }

    ngx_http_rgw_respond(r, ctx);
}
