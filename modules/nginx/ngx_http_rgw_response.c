/*
 * ngx_http_rgw_module: the response.
 *
 * Status and headers come from the core as they are.  The body is pulled
 * from the core with rgw_aio_response_read() into at most two buffers of
 * rgw_buffer_size: one can be filled while the other is being sent, and no
 * read starts while both wait for the client (flow control), so a slow
 * client costs two buffers, whatever the object's size.
 *
 *   respond -> pump -> data_read -> pump ...      (write events: flush)
 */

#include "ngx_http_rgw_module.h"


#define NGX_HTTP_RGW_BUFS  2


static ngx_int_t ngx_http_rgw_set_headers(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx);
static ngx_int_t ngx_http_rgw_send_readahead(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx);
static ngx_int_t ngx_http_rgw_send_file(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, int fd, off_t offset);
static void ngx_http_rgw_pump(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx);
static void ngx_http_rgw_data_read(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, int result);
static ngx_int_t ngx_http_rgw_output(ngx_http_request_t *r,
    ngx_http_rgw_ctx_t *ctx, ngx_chain_t *out);


void
ngx_http_rgw_respond(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    ngx_int_t  rc;

    ctx->responding = 1;

    /*
     * No more of the body goes to the core.  But a body the core did not
     * want is nginx's to drop (ngx_http_rgw_skip_body): its handler must
     * keep reading, or data that arrives while the answer is sent is left
     * unread and the connection stalls until lingering_timeout.
     */

    if (!r->discard_body) {
        r->read_event_handler = ngx_http_block_reading;
    }

    if (ngx_http_rgw_set_headers(r, ctx) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        ngx_http_finalize_request(r, rc);
        return;
    }

    if (ctx->rest == 0) {
        ngx_http_finalize_request(r, ngx_http_send_special(r, NGX_HTTP_LAST));
        return;
    }

    {
        int      fd;
        int64_t  offset;

        if (rgw_response_file(ctx->rreq, &fd, &offset) == 0) {
            rc = ngx_http_rgw_send_file(r, ctx, fd, (off_t) offset);
            ngx_http_finalize_request(r, rc);
            return;
        }
    }

    rc = ngx_http_rgw_send_readahead(r, ctx);

    if (rc == NGX_ERROR || ctx->rest == 0) {
        /* all sent, or nginx's writer sends what is left, then finalizes */
        ngx_http_finalize_request(r, rc);
        return;
    }

    ngx_http_rgw_pump(r, ctx);
}


/*
 * The body bytes the core read ahead with the response (all of a small
 * body).  They are sent from the core's memory, which lives as long as the
 * request; their buffer is not one of the two the pump reuses.
 */

static ngx_int_t
ngx_http_rgw_send_readahead(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    size_t        n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;
    const void   *data;

    n = rgw_response_readahead(ctx->rreq, &data);

    if (n == 0) {
        return NGX_OK;
    }

    if ((off_t) n > ctx->rest) {
        n = (size_t) ctx->rest;
    }

    b = ngx_calloc_buf(r->pool);
    cl = ngx_alloc_chain_link(r->pool);
    if (b == NULL || cl == NULL) {
        return NGX_ERROR;
    }

    b->start = (u_char *) data;
    b->pos = b->start;
    b->last = b->start + n;
    b->end = b->last;
    b->memory = 1;

    ctx->rest -= n;

    if (ctx->rest == 0) {
        b->last_buf = 1;
    }

    cl->buf = b;
    cl->next = NULL;

    return ngx_http_rgw_output(r, ctx, cl);
}


/*
 * The whole body is a range of one of the store's body files, open in the
 * core until the request is freed: one file buffer, which nginx sends with
 * sendfile (or reads into its output buffers with sendfile off), as its
 * static module does.  Bodies are immutable files, so the bytes sent are
 * the object's even if it is overwritten meanwhile.
 */

static ngx_int_t
ngx_http_rgw_send_file(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    int fd, off_t offset)
{
    ngx_buf_t    *b;
    ngx_file_t   *file;
    ngx_chain_t  *cl;

    b = ngx_calloc_buf(r->pool);
    file = ngx_pcalloc(r->pool, sizeof(ngx_file_t));
    cl = ngx_alloc_chain_link(r->pool);
    if (b == NULL || file == NULL || cl == NULL) {
        return NGX_ERROR;
    }

    file->fd = fd;
    file->name = r->uri;        /* for log messages only */
    file->log = r->connection->log;

    b->file = file;
    b->in_file = 1;
    b->file_pos = offset;
    b->file_last = offset + ctx->rest;
    b->last_buf = 1;
    b->last_in_chain = 1;

    ctx->rest = 0;

    cl->buf = b;
    cl->next = NULL;

    return ngx_http_rgw_output(r, ctx, cl);
}


static ngx_int_t
ngx_http_rgw_set_headers(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    size_t            i, n, len;
    int64_t           length;
    const char       *name, *value;
    ngx_table_elt_t  *h;

    r->headers_out.status = rgw_response_status(ctx->rreq);

    /* the core evaluated conditions and ranges itself */
    r->disable_not_modified = 1;
    r->allow_ranges = 0;

    n = rgw_response_header_count(ctx->rreq);

    for (i = 0; i < n; i++) {

        if (rgw_response_header(ctx->rreq, i, &name, &value) < 0) {
            return NGX_ERROR;
        }

        len = ngx_strlen(name);

        if (len == sizeof("Content-Type") - 1
            && ngx_strncasecmp((u_char *) name, (u_char *) "Content-Type",
                               len) == 0)
        {
            r->headers_out.content_type.data = (u_char *) value;
            r->headers_out.content_type.len = ngx_strlen(value);
            r->headers_out.content_type_len = r->headers_out.content_type.len;
            r->headers_out.content_type_lowcase = NULL;
            continue;
        }

        /* the core's strings live as long as the request */

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        h->key.data = (u_char *) name;
        h->key.len = len;
        h->value.data = (u_char *) value;
        h->value.len = ngx_strlen(value);
        h->lowcase_key = NULL;

        /* nginx adds these itself unless told they are there */

        if (len == sizeof("Last-Modified") - 1
            && ngx_strncasecmp(h->key.data, (u_char *) "Last-Modified", len)
               == 0)
        {
            r->headers_out.last_modified = h;

        } else if (len == sizeof("ETag") - 1
                   && ngx_strncasecmp(h->key.data, (u_char *) "ETag", len)
                      == 0)
        {
            r->headers_out.etag = h;

        } else if (len == sizeof("Date") - 1
                   && ngx_strncasecmp(h->key.data, (u_char *) "Date", len)
                      == 0)
        {
            r->headers_out.date = h;

        } else if (len == sizeof("Server") - 1
                   && ngx_strncasecmp(h->key.data, (u_char *) "Server", len)
                      == 0)
        {
            r->headers_out.server = h;
        }
    }

    length = rgw_response_length(ctx->rreq);

    r->headers_out.content_length_n = length;

    ctx->rest = (length > 0 && r->method != NGX_HTTP_HEAD) ? length : 0;

    return NGX_OK;
}


/* Starts the next read from the core, if a buffer is free. */

static void
ngx_http_rgw_pump(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    int           rc;
    size_t        size;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (ctx->in_flight || ctx->rest == 0) {
        return;
    }

    if (ctx->free) {
        cl = ctx->free;
        ctx->free = cl->next;
        b = cl->buf;

    } else if (ctx->nbufs < NGX_HTTP_RGW_BUFS) {

        /* a small body gets a buffer of its size */

        size = ctx->buffer_size;
        if ((off_t) size > ctx->rest) {
            size = (size_t) ctx->rest;
        }

        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        ctx->data[ctx->nbufs] = ngx_alloc(size, r->connection->log);

        if (b == NULL || cl == NULL || ctx->data[ctx->nbufs] == NULL) {
            ngx_http_finalize_request(r, NGX_ERROR);
            return;
        }

        b->start = ctx->data[ctx->nbufs];
        b->end = b->start + size;
        b->pos = b->start;
        b->last = b->start;
        b->temporary = 1;
        b->tag = (ngx_buf_tag_t) &ngx_http_rgw_module;
        cl->buf = b;

        ctx->nbufs++;

    } else {
        /* both buffers wait for the client: the write event resumes */
        return;
    }

    cl->next = NULL;
    ctx->reading = cl;

    size = b->end - b->start;
    if ((off_t) size > ctx->rest) {
        size = (size_t) ctx->rest;
    }

    rc = rgw_aio_response_read(ctx->gw->queue, ctx->rreq, b->start, size,
                               ngx_http_rgw_aio_done, ctx);

    if (ngx_http_rgw_wait(ctx, rc, ngx_http_rgw_data_read) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_ERROR);
    }
}


static void
ngx_http_rgw_data_read(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    int result)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (result <= 0) {
        /*
         * The status line is gone: all that is left is to cut the
         * response short, which the client sees as an error.
         */
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "rgw: response body read failed with %O bytes left: %s",
                      ctx->rest,
                      result < 0 ? rgw_last_error() : "early end of object");
        ngx_http_finalize_request(r, NGX_ERROR);
        return;
    }

    cl = ctx->reading;
    ctx->reading = NULL;

    b = cl->buf;
    b->pos = b->start;
    b->last = b->start + result;

    ctx->rest -= result;

    if (ctx->rest == 0) {
        b->last_buf = 1;
    }

    rc = ngx_http_rgw_output(r, ctx, cl);

    if (rc == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_ERROR);
        return;
    }

    if (ctx->rest == 0) {
        /* nginx's writer sends what is left, then finalizes */
        ngx_http_finalize_request(r, rc);
        return;
    }

    ngx_http_rgw_pump(r, ctx);
}


/* The socket is writable again: send what waits, then read on. */

void
ngx_http_rgw_flush(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx)
{
    if (ctx->busy && ngx_http_rgw_output(r, ctx, NULL) == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_ERROR);
        return;
    }

    ngx_http_rgw_pump(r, ctx);
}


static ngx_int_t
ngx_http_rgw_output(ngx_http_request_t *r, ngx_http_rgw_ctx_t *ctx,
    ngx_chain_t *out)
{
    ngx_int_t                  rc;
    ngx_event_t               *wev;
    ngx_http_core_loc_conf_t  *clcf;

    rc = ngx_http_output_filter(r, out);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    ngx_chain_update_chains(r->pool, &ctx->free, &ctx->busy, &out,
                            (ngx_buf_tag_t) &ngx_http_rgw_module);

    wev = r->connection->write;

    if (ctx->busy == NULL && !r->connection->buffered) {
        if (wev->timer_set && !wev->delayed) {
            ngx_del_timer(wev);
        }
        return rc;
    }

    /* wait for the client, as ngx_http_writer() does */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (!wev->delayed) {
        ngx_add_timer(wev, clcf->send_timeout);
    }

    if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
        return NGX_ERROR;
    }

    return rc;
}
