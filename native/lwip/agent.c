/*
 * synack-lwip's agent: the core of docs/agent-protocol.md (hello, listen,
 * accept, connect, read, write, shutdown, close, abort, state) over one
 * control connection at a time, on a kernel TCP socket at SYNACK_AGENT
 * (`127.0.0.1:7070` in the namespace the tap target made: its loopback,
 * never the device under test), for the harness holding SYNACK_AGENT_TOKEN.
 *
 * Every request runs under LOCK_TCPIP_CORE(). Socket state comes from lwIP's
 * own lists of pcbs (tcp_active_pcbs, tcp_tw_pcbs; lwip/priv/tcp_priv.h),
 * pcb->state mapped to the names `ss` prints.
 *
 * JSON: requests are flat objects (strings, integers, one array of strings),
 * which the small reader below takes apart; replies are written by hand.
 *
 * Our own code; it links against lwIP and copies none of it.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"

#include "synack-lwip.h"

#define MAX_LINE (4u << 20)
#define MAX_FIELDS 16
#define ACCEPT_WAIT_MS 500

static const char *token;

/* ---- a flat JSON object ------------------------------------------------- */

struct field {
    const char *key;
    const char *value; /* a string's text, or a number's or literal's */
    int is_string;
};

struct request {
    struct field f[MAX_FIELDS];
    int n;
};

static char *skip_ws(char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

/* A string at p (after its opening quote), unescaped in place. Returns the
 * character after the closing quote, or NULL. */
static char *read_string(char *p, const char **out)
{
    char *w = p;
    *out = p;
    while (*p && *p != '"') {
        if (*p == '\\') {
            p++;
            switch (*p) {
            case 'n': *w++ = '\n'; break;
            case 't': *w++ = '\t'; break;
            case 'r': *w++ = '\r'; break;
            case 'b': *w++ = '\b'; break;
            case 'f': *w++ = '\f'; break;
            case 'u': /* not in anything synack sends: keep it as `?` */
                for (int i = 0; i < 4; i++)
                    if (p[1])
                        p++;
                *w++ = '?';
                break;
            case 0: return NULL;
            default: *w++ = *p; break; /* \" \\ \/ */
            }
            p++;
        } else {
            *w++ = *p++;
        }
    }
    if (*p != '"')
        return NULL;
    *w = 0;
    return p + 1;
}

/* Parses `{"k":v,...}` in place. Returns 0, or -1 when it is not one. */
static int parse(char *line, struct request *r)
{
    r->n = 0;
    char *p = skip_ws(line);
    if (*p++ != '{')
        return -1;
    p = skip_ws(p);
    if (*p == '}')
        return 0;
    for (;;) {
        if (*p++ != '"' || r->n == MAX_FIELDS)
            return -1;
        struct field *f = &r->f[r->n++];
        if (!(p = read_string(p, &f->key)))
            return -1;
        p = skip_ws(p);
        if (*p++ != ':')
            return -1;
        p = skip_ws(p);
        if (*p == '"') {
            f->is_string = 1;
            if (!(p = read_string(p + 1, &f->value)))
                return -1;
        } else if (*p == '{') { /* an object (`call`), kept as its text */
            f->is_string = 0;
            f->value = p;
            int depth = 0;
            do {
                if (*p == '"') { /* skip a string (it may hold braces), untouched */
                    for (p++; *p && *p != '"'; p++)
                        if (*p == '\\' && p[1])
                            p++;
                    if (*p++ != '"')
                        return -1;
                    continue;
                }
                depth += (*p == '{') - (*p == '}');
                p++;
            } while (*p && depth > 0);
            if (depth)
                return -1;
        } else if (*p == '[') { /* an array of strings, kept as its text */
            f->is_string = 0;
            f->value = p;
            while (*p && *p != ']')
                p++;
            if (*p != ']')
                return -1;
            p++;
        } else {
            f->is_string = 0;
            f->value = p;
            while (*p && *p != ',' && *p != '}' && *p != ' ')
                p++;
        }
        char *end = p;
        p = skip_ws(p);
        char c = *p;
        *end = 0; /* ends a number or an array; a string is ended already */
        if (c == '}')
            return 0;
        if (c != ',')
            return -1;
        p = skip_ws(p + 1);
    }
}

static const struct field *get(const struct request *r, const char *key)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0)
            return &r->f[i];
    return NULL;
}

static const char *get_str(const struct request *r, const char *key)
{
    const struct field *f = get(r, key);
    return f && f->is_string ? f->value : NULL;
}

static int get_num(const struct request *r, const char *key, long long *out)
{
    const struct field *f = get(r, key);
    if (!f || f->is_string)
        return -1;
    char *end;
    errno = 0;
    *out = strtoll(f->value, &end, 10);
    return errno || end == f->value || *end ? -1 : 0;
}

/* "192.0.2.1:80" or "[2001:db8::1]:80". */
static int parse_addr(const char *s, ip_addr_t *ip, u16_t *port)
{
    char host[64];
    const char *colon;
    if (!s)
        return -1;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, close - s - 1);
        host[close - s - 1] = 0;
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return -1;
        memcpy(host, s, colon - s);
        host[colon - s] = 0;
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535 || !ipaddr_aton(host, ip))
        return -1;
    *port = (u16_t)p;
    return 0;
}

/* ---- replies ------------------------------------------------------------ */

struct out {
    char *buf;
    size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = (o->cap + (size_t)n) * 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            fprintf(stderr, PROG ": agent: out of memory\n");
            exit(1);
        }
        o->buf = b;
        o->cap = cap;
    }
}

/* A JSON string of `s` (messages are ASCII of our own). */
static void put_str(struct out *o, const char *s)
{
    put(o, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            put(o, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            put(o, "\\u%04x", *s);
        else
            put(o, "%c", *s);
    }
    put(o, "\"");
}

static void reply_why(struct out *o, long long id, const char *kind, const char *why)
{
    put(o, "{\"id\":%lld,\"ok\":false,\"%s\":", id, kind);
    put_str(o, why);
    put(o, "}");
}

/* ---- the connections ---------------------------------------------------- */

static struct conn *find(const ip_addr_t *ip, u16_t port)
{
    for (struct conn *c = conns; c; c = c->next)
        if (c->remote_port == port && ip_addr_cmp(&c->remote_ip, ip))
            return c;
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* The connection from `peer`, waiting (unlocked) up to `wait_ms` for lwIP to
 * accept it (the handshake's last ACK may still be on its way in). Called
 * and returns with the core locked. */
static struct conn *find_wait(const ip_addr_t *ip, u16_t port, int wait_ms)
{
    for (int waited = 0;; waited++) {
        struct conn *c = find(ip, port);
        if ((c && (c->pcb == NULL || c->pcb->state != SYN_SENT)) || waited >= wait_ms)
            return c;
        UNLOCK_TCPIP_CORE();
        sleep_ms(1);
        LOCK_TCPIP_CORE();
    }
}

static const char *ss_name(enum tcp_state s)
{
    switch (s) {
    case CLOSED: return "CLOSED";
    case LISTEN: return "LISTEN";
    case SYN_SENT: return "SYN-SENT";
    case SYN_RCVD: return "SYN-RECV";
    case ESTABLISHED: return "ESTAB";
    case FIN_WAIT_1: return "FIN-WAIT-1";
    case FIN_WAIT_2: return "FIN-WAIT-2";
    case CLOSE_WAIT: return "CLOSE-WAIT";
    case CLOSING: return "CLOSING";
    case LAST_ACK: return "LAST-ACK";
    case TIME_WAIT: return "TIME-WAIT";
    }
    return "CLOSED";
}

static struct tcp_pcb *find_pcb(struct tcp_pcb *list, const ip_addr_t *lip, u16_t lport,
                                const ip_addr_t *rip, u16_t rport)
{
    for (struct tcp_pcb *p = list; p; p = p->next)
        if (p->local_port == lport && p->remote_port == rport &&
            ip_addr_cmp(&p->local_ip, lip) && ip_addr_cmp(&p->remote_ip, rip))
            return p;
    return NULL;
}

static const char *why_gone(const struct conn *c)
{
    switch (c->error) {
    case ERR_RST: return "the connection was reset (ECONNRESET)";
    case ERR_ABRT: return "the connection was aborted (ECONNABORTED)";
    case ERR_CLSD: return "the connection is closed (ENOTCONN)";
    default: return c->finished ? "the connection is closed (EBADF)" : "no connection (ENOTCONN)";
    }
}

/* ---- the operations ----------------------------------------------------- */

static const char *OPS = "[\"hello\",\"listen\",\"accept\",\"connect\",\"read\",\"write\","
                         "\"shutdown\",\"close\",\"abort\",\"state\",\"call\",\"finished\","
                         "\"release\"]";

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)pcb;
    struct conn *c = arg;
    if (c)
        c->connected = err == ERR_OK;
    return ERR_OK;
}

/* One request (core locked); the reply goes to `o`. */
static void perform(const struct request *r, long long id, const char *op, struct out *o)
{
    ip_addr_t ip;
    u16_t port;
    if (strcmp(op, "listen") == 0) {
        if (parse_addr(get_str(r, "local"), &ip, &port) != 0)
            return reply_why(o, id, "error", "listen: `local` is not an address");
        const char *name = get_str(r, "service");
        int s = name ? service_by_name(name) : SCRIPTED;
        if (s < 0)
            return reply_why(o, id, "unsupported", "no such built-in service");
        long long delay;
        if (get_num(r, "close_delay_ms", &delay) == 0 && delay >= 0)
            close_delay_ms = (u32_t)delay;
        if (listen_on(port, (enum service)s) != 0)
            return reply_why(o, id, "refused", "the port has another service, or lwIP refused");
        put(o, "{\"id\":%lld,\"ok\":true}", id);
        return;
    }
    if (strcmp(op, "connect") == 0) {
        if (parse_addr(get_str(r, "remote"), &ip, &port) != 0)
            return reply_why(o, id, "error", "connect: `remote` is not an address");
        struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&ip));
        if (!pcb)
            return reply_why(o, id, "refused", "tcp_new: out of memory (ENOMEM)");
        /* The pcb's remote end is not set until tcp_connect: attach after. */
        err_t e = tcp_connect(pcb, &ip, port, on_connected);
        if (e != ERR_OK) {
            tcp_abort(pcb);
            return reply_why(o, id, "refused", lwip_strerr(e));
        }
        if (!conn_attach(pcb, SCRIPTED)) {
            tcp_abort(pcb);
            return reply_why(o, id, "refused", "out of memory (ENOMEM)");
        }
        put(o, "{\"id\":%lld,\"ok\":true}", id);
        return;
    }
    if (strcmp(op, "state") == 0) {
        ip_addr_t lip;
        u16_t lport;
        if (parse_addr(get_str(r, "local"), &lip, &lport) != 0 ||
            parse_addr(get_str(r, "peer"), &ip, &port) != 0)
            return reply_why(o, id, "error", "state: `local` or `peer` is not an address");
        struct tcp_pcb *p = find_pcb(tcp_active_pcbs, &lip, lport, &ip, port);
        if (!p)
            p = find_pcb(tcp_tw_pcbs, &lip, lport, &ip, port);
        if (!p) {
            put(o, "{\"id\":%lld,\"ok\":true,\"state\":\"CLOSED\"}", id);
            return;
        }
        struct conn *c = find(&ip, port);
        size_t recv_q = c && c->pcb == p ? c->in_len : 0;
        u32_t send_q = p->snd_lbb - p->lastack;
        if (p->state == SYN_SENT || p->state == SYN_RCVD || p->state == TIME_WAIT)
            send_q = 0;
        put(o, "{\"id\":%lld,\"ok\":true,\"state\":\"%s\",\"recv_q\":%zu,\"send_q\":%u}", id,
            ss_name(p->state), recv_q, (unsigned)send_q);
        return;
    }
    if (strcmp(op, "call") == 0 || strcmp(op, "finished") == 0 || strcmp(op, "release") == 0) {
        long long token = 0;
        get_num(r, "token", &token);
        const struct field *mb = get(r, "may_block");
        const struct field *call = get(r, "call");
        char *reply = calls_perform(id, op, get_str(r, "local"), get_str(r, "peer"),
                                    call && !call->is_string ? call->value : NULL,
                                    mb && strcmp(mb->value, "true") == 0, token);
        put(o, "%s", reply);
        free(reply);
        return;
    }
    /* The rest act on the connection from `peer`. */
    if (parse_addr(get_str(r, "peer"), &ip, &port) != 0)
        return reply_why(o, id, "error", "`peer` is not an address");
    long long timeout = ACCEPT_WAIT_MS;
    if (strcmp(op, "accept") == 0)
        get_num(r, "timeout_ms", &timeout);
    if (timeout < 0 || timeout > 30000)
        timeout = 30000;
    struct conn *c = find_wait(&ip, port, (int)timeout);
    if (!c)
        return reply_why(o, id, "refused", "no open connection from that peer has been accepted");
    if (strcmp(op, "accept") == 0) {
        put(o, "{\"id\":%lld,\"ok\":true}", id);
        return;
    }
    int owned = c->service != SILENT && c->service != SCRIPTED;
    if (strcmp(op, "read") == 0) {
        long long max;
        if (get_num(r, "max", &max) != 0 || max < 0)
            return reply_why(o, id, "error", "read: `max` is not a count");
        if (get(r, "timeout_ms"))
            return reply_why(o, id, "unsupported", "blocking reads");
        if (owned)
            return reply_why(o, id, "refused", "a built-in service reads this connection");
        if (max > (1 << 20))
            max = 1 << 20;
        unsigned char *buf = malloc((size_t)max + 1);
        if (!buf)
            return reply_why(o, id, "error", "out of memory");
        size_t n = conn_read(c, buf, (size_t)max);
        if (n == 0 && !c->pcb && !c->peer_closed) {
            free(buf);
            return reply_why(o, id, "refused", why_gone(c));
        }
        put(o, "{\"id\":%lld,\"ok\":true,\"data\":\"", id);
        for (size_t i = 0; i < n; i++)
            put(o, "%02x", buf[i]);
        put(o, "\"}");
        free(buf);
        return;
    }
    if (strcmp(op, "write") == 0) {
        const char *hex = get_str(r, "data");
        size_t len = hex ? strlen(hex) : 1;
        if (len % 2)
            return reply_why(o, id, "error", "`data` is not an even-length hex string");
        if (!c->pcb || c->finished)
            return reply_why(o, id, "refused", why_gone(c));
        size_t room = tcp_sndbuf(c->pcb);
        size_t n = len / 2 < room ? len / 2 : room;
        unsigned char *buf = malloc(n + 1);
        if (!buf)
            return reply_why(o, id, "error", "out of memory");
        for (size_t i = 0; i < n; i++) {
            unsigned v;
            if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
                free(buf);
                return reply_why(o, id, "error", "`data` is not hex");
            }
            buf[i] = (unsigned char)v;
        }
        err_t e = n ? tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) : ERR_OK;
        free(buf);
        if (e == ERR_MEM)
            n = 0; /* nothing fits now, as a non-blocking send's EAGAIN */
        else if (e != ERR_OK)
            return reply_why(o, id, "refused", lwip_strerr(e));
        tcp_output(c->pcb);
        put(o, "{\"id\":%lld,\"ok\":true,\"wrote\":%zu}", id, n);
        return;
    }
    if (strcmp(op, "shutdown") == 0) {
        const char *how = get_str(r, "how");
        int rx = how && (strcmp(how, "rd") == 0 || strcmp(how, "rdwr") == 0);
        int tx = how && (strcmp(how, "wr") == 0 || strcmp(how, "rdwr") == 0);
        if (!rx && !tx)
            return reply_why(o, id, "error", "shutdown: `how` is wr, rd or rdwr");
        if (!c->pcb || c->finished)
            return reply_why(o, id, "refused", why_gone(c));
        if (owned)
            return reply_why(o, id, "refused",
                             "a built-in service owns this connection; use the silent service");
        if (rx && tx) {
            conn_close(c); /* lwIP's shutdown of both is its close */
        } else {
            err_t e = tcp_shutdown(c->pcb, rx, tx);
            if (e != ERR_OK)
                return reply_why(o, id, "refused", lwip_strerr(e));
        }
        put(o, "{\"id\":%lld,\"ok\":true}", id);
        return;
    }
    if (strcmp(op, "close") == 0 || strcmp(op, "abort") == 0) {
        if (owned)
            return reply_why(o, id, "refused",
                             "a built-in service owns this connection; use the silent service");
        if (c->finished && !c->pcb)
            return reply_why(o, id, "refused", why_gone(c));
        if (op[0] == 'c')
            conn_close(c);
        else
            conn_abort(c);
        put(o, "{\"id\":%lld,\"ok\":true}", id);
        return;
    }
    if (strcmp(op, "setsockopt") == 0 || strcmp(op, "getsockopt") == 0 ||
        strcmp(op, "poll") == 0)
        return reply_why(o, id, "unsupported", "extended operations");
    reply_why(o, id, "error", "unknown operation");
}

/* Compares tokens in time independent of where they differ. */
static int same(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* What a control connection made goes with it: its connections reset. */
static void forget_scripted(void)
{
    LOCK_TCPIP_CORE();
    calls_forget();
    for (struct conn *c = conns, *next; c; c = next) {
        next = c->next;
        if (c->service == SCRIPTED || c->service == SILENT)
            conn_abort(c);
    }
    UNLOCK_TCPIP_CORE();
}

/* One harness: hello with the token, then requests until it goes. */
static void control(int fd)
{
    char *line = malloc(MAX_LINE + 1);
    struct out o = {malloc(4096), 0, 4096};
    size_t have = 0;
    int said_hello = 0;
    if (!line || !o.buf) {
        fprintf(stderr, PROG ": agent: out of memory\n");
        exit(1);
    }
    for (;;) {
        char *nl = memchr(line, '\n', have);
        if (!nl) {
            if (have == MAX_LINE)
                break; /* a line too long: hang up */
            ssize_t n = recv(fd, line + have, MAX_LINE - have, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            have += (size_t)n;
            continue;
        }
        *nl = 0;
        size_t used = (size_t)(nl - line) + 1;
        struct request r;
        long long id = 0;
        o.len = 0;
        int hang_up = 0;
        const char *op;
        if (parse(line, &r) != 0 || get_num(&r, "id", &id) != 0 || !(op = get_str(&r, "op"))) {
            reply_why(&o, id, "error", "not a request");
            hang_up = 1;
        } else if (!said_hello) {
            const char *t = get_str(&r, "token");
            if (strcmp(op, "hello") != 0 || !t || !same(t, token)) {
                reply_why(&o, id, "error",
                          strcmp(op, "hello") ? "say hello with the token first" : "wrong token");
                hang_up = 1;
            } else {
                said_hello = 1;
                put(&o,
                    "{\"id\":%lld,\"ok\":true,\"agent\":\"synack-lwip %s\",\"version\":1,"
                    "\"ops\":%s,\"services\":[\"echo\",\"discard\",\"http\",\"silent\","
                    "\"abort\",\"closed\"]}",
                    id, LWIP_VERSION_STRING, OPS);
            }
        } else if (strcmp(op, "hello") == 0) {
            reply_why(&o, id, "error", "hello twice");
        } else {
            /* What synack sent before this request arrives first, as a
             * kernel takes a TUN write before the next system call. */
            settle();
            LOCK_TCPIP_CORE();
            perform(&r, id, op, &o);
            UNLOCK_TCPIP_CORE();
        }
        put(&o, "\n");
        if (send_all(fd, o.buf, o.len) != 0 || hang_up)
            break;
        memmove(line, line + used, have - used);
        have -= used;
    }
    free(line);
    free(o.buf);
    close(fd);
    if (said_hello)
        forget_scripted();
}

static void *agent_thread(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror(PROG ": agent: accept");
            exit(1);
        }
        int one = 1;
        /* TCP_NODELAY (netinet/tcp.h clashes with lwIP's TCP_MSS) */
        setsockopt(fd, IPPROTO_TCP, 1, &one, sizeof one);
        control(fd); /* one harness at a time */
    }
    return NULL;
}

int agent_start(void)
{
    const char *where = getenv("SYNACK_AGENT");
    if (!where || !*where)
        return 0; /* no agent wanted */
    token = getenv("SYNACK_AGENT_TOKEN");
    if (!token || !*token) {
        fprintf(stderr, PROG ": SYNACK_AGENT is set but SYNACK_AGENT_TOKEN is not\n");
        return -1;
    }
    /* A kernel address, parsed as the protocol writes addresses. */
    ip_addr_t ip;
    u16_t port;
    if (parse_addr(where, &ip, &port) != 0) {
        fprintf(stderr, PROG ": SYNACK_AGENT=%s is not ADDR:PORT\n", where);
        return -1;
    }
    struct sockaddr_storage sa;
    socklen_t len;
    memset(&sa, 0, sizeof sa);
    if (IP_IS_V6(&ip)) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        memcpy(&s6->sin6_addr, ip_2_ip6(&ip)->addr, 16);
        len = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        s4->sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(&ip));
        len = sizeof *s4;
    }
    int lfd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&sa, len) != 0 || listen(lfd, 4) != 0) {
        fprintf(stderr, PROG ": agent: cannot listen on %s: %s\n", where, strerror(errno));
        return -1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, agent_thread, (void *)(intptr_t)lfd) != 0) {
        fprintf(stderr, PROG ": agent: cannot start its thread\n");
        return -1;
    }
    pthread_detach(t);
    return 0;
}
