/*
 * synack-lwip: lwIP (Debian's liblwip, 2.1) as a stack under test for
 * synack's TAP and TUN targets (`synack run --target tap --exec ...`).
 *
 * It reads where it is from the environment synack sets (README, "Testing
 * your own stack"), attaches lwIP to the device synack created, and serves
 * one built-in service on SYNACK_PORT, as target/services.rs describes it:
 *
 *   echo     echoes every byte; closes (FIN) after the peer's FIN, once all
 *            is echoed; reads no more than it can write back
 *   discard  reads and drops every byte; closes after the peer's FIN
 *   http     reads one request up to the blank line, answers it, closes first
 *   silent   accepts, never reads, writes or closes
 *   abort    accepts, reads the first bytes, then aborts (RST)
 *   closed   no listener
 *
 * The close after the peer's FIN (echo, discard, abort) or after the http
 * response waits SYNACK_CLOSE_DELAY_MS milliseconds (0: in the same step).
 *
 * The device: a small netif of this file attached to the TAP (Ethernet, with
 * lwIP's ARP and neighbour discovery) or TUN (whole IP packets) device synack
 * created. lwIP's raw API only, under the core lock or in its callbacks.
 *
 * ISNs: tcp_next_iss is replaced by a hash of SYNACK_SEED and the 4-tuple,
 * so a case sees the same ISN whatever ran before it.
 *
 * The agent (agent.c, docs/agent-protocol.md): when SYNACK_AGENT is set, a
 * kernel socket in the namespace (loopback, apart from the device under
 * test) answers synack's JSON-lines requests: listen, accept, connect, read,
 * write, shutdown, close, abort on the connections here, and socket state
 * from lwIP's own pcbs. `silent` and agent-made connections keep what
 * arrives for the agent's reads.
 *
 * Our own code; it links against lwIP and copies none of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"

#include "synack-lwip.h"

static const char HTTP_RESPONSE[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

u32_t close_delay_ms;
static uint64_t seed;

static void die(const char *what)
{
    fprintf(stderr, PROG ": %s\n", what);
    exit(2);
}

static const char *env(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    if (v && *v)
        return v;
    if (fallback)
        return fallback;
    fprintf(stderr, PROG ": %s is not set (run me with synack --target tap|tun --exec)\n", name);
    exit(2);
}

/* ---- ISNs --------------------------------------------------------------- */

static uint64_t mix(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL; /* FNV-1a */
    return h;
}

/* Replaces lwIP's tcp_next_iss (a counter from 6510 plus ticks): a hash of
 * the seed and the connection's 4-tuple, set by lwIP before the call. */
u32_t tcp_next_iss(struct tcp_pcb *pcb)
{
    uint64_t h = mix(0xcbf29ce484222325ULL, &seed, sizeof seed);
    h = mix(h, &pcb->local_ip, sizeof pcb->local_ip);
    h = mix(h, &pcb->remote_ip, sizeof pcb->remote_ip);
    h = mix(h, &pcb->local_port, sizeof pcb->local_port);
    h = mix(h, &pcb->remote_port, sizeof pcb->remote_port);
    return (u32_t)(h ^ (h >> 32));
}

/* ---- services ------------------------------------------------------------ */

struct conn *conns;

static void conn_free(struct conn *c)
{
    for (struct conn **p = &conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    free(c->outbox);
    free(c->inbox);
    free(c);
}

/* Detaches from the pcb (lwIP's defaults take over) and frees the state. */
static void conn_release(struct conn *c)
{
    if (c->pcb) {
        tcp_arg(c->pcb, NULL);
        tcp_recv(c->pcb, NULL);
        tcp_sent(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        tcp_poll(c->pcb, NULL, 0);
    }
    if (!c->close_pending)
        conn_free(c);
    else
        c->pcb = NULL; /* the timer frees it */
}

static void do_close(struct conn *c)
{
    c->finished = 1;
    if (!c->pcb) {
        conn_free(c);
        return;
    }
    struct tcp_pcb *pcb = c->pcb;
    conn_release(c);
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb); /* out of memory: nothing better to do */
}

void conn_close(struct conn *c)
{
    if (!c->close_pending)
        do_close(c);
}

void conn_abort(struct conn *c)
{
    c->finished = 1;
    struct tcp_pcb *pcb = c->pcb;
    conn_release(c);
    if (pcb)
        tcp_abort(pcb);
}

static void close_timer(void *arg)
{
    struct conn *c = arg;
    c->close_pending = 0;
    do_close(c);
}

static void want_close(struct conn *c)
{
    if (c->finished || c->close_pending)
        return;
    if (close_delay_ms == 0) {
        do_close(c);
    } else {
        c->close_pending = 1;
        sys_timeout(close_delay_ms, close_timer, c);
    }
}

static void grow(unsigned char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t n = need * 2;
    unsigned char *b = realloc(*buf, n);
    if (!b)
        die("out of memory");
    *buf = b;
    *cap = n;
}

static void outbox_add(struct conn *c, const void *data, size_t len)
{
    grow(&c->outbox, &c->out_cap, c->out_len + len);
    memcpy(c->outbox + c->out_len, data, len);
    c->out_len += len;
}

size_t conn_read(struct conn *c, unsigned char *out, size_t max)
{
    size_t n = c->in_len < max ? c->in_len : max;
    memcpy(out, c->inbox, n);
    memmove(c->inbox, c->inbox + n, c->in_len - n);
    c->in_len -= n;
    /* The window opens as the application reads, as a kernel's does. */
    for (size_t left = n; left > 0 && c->pcb;) {
        u16_t k = left > 0xffff ? 0xffff : (u16_t)left;
        tcp_recved(c->pcb, k);
        left -= k;
    }
    return n;
}

/* Writes what fits; echo then reads (opens the window) as much as it wrote. */
static void flush(struct conn *c)
{
    size_t room = tcp_sndbuf(c->pcb);
    size_t n = c->out_len < room ? c->out_len : room;
    if (n > 0 && tcp_write(c->pcb, c->outbox, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
        memmove(c->outbox, c->outbox + n, c->out_len - n);
        c->out_len -= n;
        if (c->service == ECHO)
            tcp_recved(c->pcb, (u16_t)n);
        tcp_output(c->pcb);
    }
    int done_writing = c->out_len == 0;
    if (done_writing && (c->peer_closed || (c->service == HTTP && c->responded)))
        want_close(c);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb;
    (void)len;
    struct conn *c = arg;
    if (c && !c->finished && c->service != SILENT && c->service != SCRIPTED)
        flush(c);
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;
    (void)err;
    if (!c) { /* released: read and drop */
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (!p) { /* the peer's FIN, after every byte before it */
        c->peer_closed = 1;
        if (c->service == SCRIPTED)
            calls_wake();
        if (c->finished || c->service == SILENT || c->service == SCRIPTED)
            return ERR_OK;
        if (c->service == HTTP || c->service == DISCARD || c->service == ABORT ||
            (c->service == ECHO && c->out_len == 0))
            want_close(c);
        return ERR_OK;
    }
    u16_t len = p->tot_len;
    if (c->finished) {
        pbuf_free(p);
        return ERR_OK;
    }
    switch (c->service) {
    case ECHO: {
        unsigned char buf[1024];
        for (u16_t off = 0; off < len;) {
            u16_t k = pbuf_copy_partial(p, buf, sizeof buf, off);
            outbox_add(c, buf, k);
            off += k;
        }
        pbuf_free(p);
        flush(c); /* tcp_recved as the echo is written */
        return ERR_OK;
    }
    case DISCARD:
        tcp_recved(pcb, len);
        pbuf_free(p);
        return ERR_OK;
    case HTTP:
        if (!c->responded) {
            tcp_recved(pcb, len);
            size_t k = len;
            if (k > sizeof c->request - 1 - c->req_len)
                k = sizeof c->request - 1 - c->req_len;
            pbuf_copy_partial(p, c->request + c->req_len, (u16_t)k, 0);
            c->req_len += k;
            c->request[c->req_len] = 0;
            if (strstr(c->request, "\r\n\r\n")) {
                c->responded = 1;
                outbox_add(c, HTTP_RESPONSE, sizeof HTTP_RESPONSE - 1);
                flush(c);
            }
        } /* after the response: not read (the window closes) */
        pbuf_free(p);
        return ERR_OK;
    case ABORT:
        pbuf_free(p);
        conn_abort(c);
        return ERR_ABRT;
    case SILENT:
    case SCRIPTED:
        /* Kept for the agent's reads, the window not opened: unread, as
         * bytes in a kernel's receive queue are. */
        grow(&c->inbox, &c->in_cap, c->in_len + len);
        pbuf_copy_partial(p, c->inbox + c->in_len, len, 0);
        c->in_len += len;
        pbuf_free(p);
        if (c->service == SCRIPTED)
            calls_wake();
        return ERR_OK;
    case CLOSED_PORT:
        pbuf_free(p);
        return ERR_OK;
    }
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    struct conn *c = arg;
    if (!c)
        return;
    c->pcb = NULL; /* lwIP freed it */
    c->finished = 1;
    c->error = err;
    /* Kept (the agent answers calls on it as refused) until the next
     * connection from the same peer, or the control connection's end. */
    if (c->service != SCRIPTED && !c->close_pending)
        conn_free(c);
    else if (c->service == SCRIPTED)
        calls_wake();
}

struct conn *conn_attach(struct tcp_pcb *pcb, enum service service)
{
    /* A new connection from a peer replaces what is left of an old one. */
    for (struct conn *o = conns; o; o = o->next) {
        if (!o->pcb && o->remote_port == pcb->remote_port &&
            ip_addr_cmp(&o->remote_ip, &pcb->remote_ip)) {
            conn_free(o);
            break;
        }
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->pcb = pcb;
    c->service = service;
    ip_addr_copy(c->remote_ip, pcb->remote_ip);
    c->remote_port = pcb->remote_port;
    c->next = conns;
    conns = c;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    return c;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    enum service s = (enum service)(intptr_t)arg;
    if (!conn_attach(pcb, s))
        return ERR_MEM;
    if (s == SCRIPTED)
        calls_wake();
    return ERR_OK;
}

static const char *SERVICE_NAMES[] = {"echo",   "discard", "http", "silent",
                                      "abort",  "closed",  "scripted"};

int service_by_name(const char *s)
{
    for (int i = 0; i <= CLOSED_PORT; i++)
        if (strcmp(s, SERVICE_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *service_name(enum service s)
{
    return SERVICE_NAMES[s];
}

/* What listens on which port. */
static struct listener {
    u16_t port;
    enum service service;
    struct tcp_pcb *pcb; /* NULL for CLOSED_PORT */
} listeners[64];
static int n_listeners;

static struct tcp_pcb *open_listener(u16_t port, enum service service)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
    if (!pcb)
        return NULL;
    if (tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
        tcp_abort(pcb);
        return NULL;
    }
    pcb = tcp_listen_with_backlog(pcb, 16);
    if (!pcb)
        return NULL;
    tcp_arg(pcb, (void *)(intptr_t)service);
    tcp_accept(pcb, on_accept);
    return pcb;
}

int listen_on(u16_t port, enum service service)
{
    for (int i = 0; i < n_listeners; i++) {
        struct listener *l = &listeners[i];
        if (l->port != port)
            continue;
        if (l->service == service)
            return 0;
        /* A closed port may start listening for the agent's caller. */
        if (l->service != CLOSED_PORT || service != SCRIPTED)
            return -1;
        if (!(l->pcb = open_listener(port, service)))
            return -1;
        l->service = service;
        return 0;
    }
    if (n_listeners == (int)(sizeof listeners / sizeof listeners[0]))
        return -1;
    struct tcp_pcb *pcb = NULL;
    if (service != CLOSED_PORT && !(pcb = open_listener(port, service)))
        return -1;
    listeners[n_listeners].port = port;
    listeners[n_listeners].service = service;
    listeners[n_listeners].pcb = pcb;
    n_listeners++;
    return 0;
}

void unlisten(u16_t port)
{
    for (int i = 0; i < n_listeners; i++) {
        struct listener *l = &listeners[i];
        if (l->port != port || l->service != SCRIPTED)
            continue;
        if (l->pcb)
            tcp_close(l->pcb); /* a listening pcb closes at once */
        l->pcb = NULL;
        l->service = CLOSED_PORT;
    }
}

/* ---- the device: TAP (Ethernet frames) or TUN (IP packets) --------------- */

/* Our own netif for both, not the unix port's tapif (see dev_reader). */
static int dev_fd = -1;
static int dev_is_tap;

static err_t dev_write(struct pbuf *p)
{
    unsigned char buf[65535];
    u16_t n = pbuf_copy_partial(p, buf, sizeof buf, 0);
    if (write(dev_fd, buf, n) != (ssize_t)n)
        return ERR_IF;
    return ERR_OK;
}

static err_t tun_out4(struct netif *n, struct pbuf *p, const ip4_addr_t *a)
{
    (void)n;
    (void)a;
    return dev_write(p);
}

static err_t tun_out6(struct netif *n, struct pbuf *p, const ip6_addr_t *a)
{
    (void)n;
    (void)a;
    return dev_write(p);
}

static err_t tap_linkoutput(struct netif *n, struct pbuf *p)
{
    (void)n;
    return dev_write(p);
}

/* Held while the reader takes a packet off the device and hands it to lwIP:
 * settle() takes it to know that nothing is half-way. */
static pthread_mutex_t reader_mx = PTHREAD_MUTEX_INITIALIZER;

static void dev_reader(void *arg)
{
    struct netif *netif = arg;
    static unsigned char buf[65536];
    for (;;) {
        struct pollfd pfd = {dev_fd, POLLIN, 0};
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror(PROG ": poll the device");
            exit(1);
        }
        pthread_mutex_lock(&reader_mx);
        ssize_t n = read(dev_fd, buf, sizeof buf);
        if (n < 0) {
            pthread_mutex_unlock(&reader_mx);
            if (errno == EINTR || errno == EAGAIN)
                continue;
            perror(PROG ": read from the device");
            exit(1);
        }
        if (n == 0 || n > 0xffff) {
            pthread_mutex_unlock(&reader_mx);
            continue;
        }
        /* PBUF_RAM, not PBUF_POOL: Debian's liblwip 2.1.3 allocates 616-byte
         * pool buffers but fills up to 1536 bytes into one (pbuf.c and memp.c
         * disagree on PBUF_POOL_BUFSIZE): a heap overflow on any frame over
         * ~590 bytes, which is how its own tapif crashes. */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (p) {
            pbuf_take(p, buf, (u16_t)n);
            if (netif->input(p, netif) != ERR_OK)
                pbuf_free(p);
        }
        pthread_mutex_unlock(&reader_mx);
    }
}

static void settled(void *arg)
{
    sys_sem_signal((sys_sem_t *)arg);
}

void settle(void)
{
    /* Until the device is empty with the reader between packets: every
     * packet synack wrote before this request is in lwIP's hands. */
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&reader_mx);
        struct pollfd pfd = {dev_fd, POLLIN, 0};
        int pending = dev_fd >= 0 && poll(&pfd, 1, 0) > 0;
        pthread_mutex_unlock(&reader_mx);
        if (!pending)
            break;
        usleep(100);
    }
    /* And lwIP's thread has taken all of them from its mailbox (a callback
     * queued behind them has run). */
    sys_sem_t done;
    if (sys_sem_new(&done, 0) != ERR_OK)
        return;
    if (tcpip_callback(settled, &done) == ERR_OK)
        sys_arch_sem_wait(&done, 1000);
    sys_sem_free(&done);
}

static err_t dev_init(struct netif *netif)
{
    const char *dev = env("SYNACK_DEVICE", NULL);
    dev_fd = open("/dev/net/tun", O_RDWR);
    if (dev_fd < 0) {
        perror(PROG ": open /dev/net/tun");
        return ERR_IF;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = (dev_is_tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
    strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
    if (ioctl(dev_fd, TUNSETIFF, &ifr) < 0) {
        perror(PROG ": attach to the device");
        return ERR_IF;
    }
    netif->mtu = 1500;
    if (dev_is_tap) {
        static const u8_t mac[6] = {0x02, 0x12, 0x34, 0x56, 0x78, 0xab};
        netif->name[0] = 't';
        netif->name[1] = 'p';
        memcpy(netif->hwaddr, mac, 6);
        netif->hwaddr_len = 6;
        netif->output = etharp_output;
        netif->output_ip6 = ethip6_output;
        netif->linkoutput = tap_linkoutput;
        netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                       NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    } else {
        netif->name[0] = 't';
        netif->name[1] = 'u';
        netif->output = tun_out4;
        netif->output_ip6 = tun_out6;
        /* The netif has the /24 SYNACK_PREFIX_V4 gives it on either link, so
         * its directed broadcast address is the same: without the flag lwIP's
         * ip4_addr_isbroadcast() knows only 255.255.255.255, and a SYN from
         * 192.0.2.255 (cases/establishment/t15-from-subnet-broadcast-ipv4)
         * drew a SYN-ACK over tun where tap ignores it (MUST-63). */
        netif->flags = NETIF_FLAG_BROADCAST;
    }
    sys_thread_new("dev_reader", dev_reader, netif, 0, 0);
    return ERR_OK;
}

/* ---- start -------------------------------------------------------------- */

static enum service parse_service(const char *s)
{
    int i = service_by_name(s);
    if (i < 0) {
        fprintf(stderr, PROG ": unknown SYNACK_SERVICE `%s`\n", s);
        exit(2);
    }
    return (enum service)i;
}

static void parse_ip(const char *name, const char *text, ip_addr_t *out)
{
    if (!ipaddr_aton(text, out)) {
        fprintf(stderr, PROG ": %s=%s is not an address\n", name, text);
        exit(2);
    }
}

int main(void)
{
    const char *link = env("SYNACK_LINK", NULL);
    const char *dev = env("SYNACK_DEVICE", NULL);
    enum service service = parse_service(env("SYNACK_SERVICE", NULL));
    int port = atoi(env("SYNACK_PORT", NULL));
    close_delay_ms = (u32_t)strtoul(env("SYNACK_CLOSE_DELAY_MS", "0"), NULL, 10);
    seed = strtoull(env("SYNACK_SEED", "0"), NULL, 10);
    ip_addr_t v4, gw4, v6;
    ip4_addr_t mask;
    parse_ip("SYNACK_TARGET_V4", env("SYNACK_TARGET_V4", NULL), &v4);
    parse_ip("SYNACK_GATEWAY_V4", env("SYNACK_GATEWAY_V4", NULL), &gw4);
    parse_ip("SYNACK_TARGET_V6", env("SYNACK_TARGET_V6", NULL), &v6);
    int prefix = atoi(env("SYNACK_PREFIX_V4", "24"));
    if (port <= 0 || port > 65535 || prefix < 0 || prefix > 32)
        die("bad SYNACK_PORT or SYNACK_PREFIX_V4");
    ip4_addr_set_u32(&mask, prefix == 0 ? 0 : lwip_htonl(0xffffffffu << (32 - prefix)));

    tcpip_init(NULL, NULL);
    /* The agent listens before the device is up: once the stack answers
     * synack's first SYN, synack finds the agent there or none. */
    if (agent_start() != 0)
        exit(2);
    static struct netif netif;
    LOCK_TCPIP_CORE();
    /* The listener first, so that the first SYN that gets through finds it. */
    if (listen_on((u16_t)port, service) != 0)
        die("cannot listen on SYNACK_PORT");
    if (strcmp(link, "tap") == 0)
        dev_is_tap = 1;
    else if (strcmp(link, "tun") != 0)
        die("SYNACK_LINK must be tap or tun");
    if (!netif_add(&netif, ip_2_ip4(&v4), &mask, ip_2_ip4(&gw4), NULL, dev_init,
                   tcpip_input))
        die("cannot attach to the device");
    s8_t idx;
    if (netif_add_ip6_address(&netif, ip_2_ip6(&v6), &idx) != ERR_OK)
        die("cannot add the IPv6 address");
    /* synack's addresses are documentation addresses nobody else has: no
     * duplicate address detection, the address is usable at once. */
    netif_ip6_addr_set_state(&netif, idx, IP6_ADDR_PREFERRED);
    if (strcmp(link, "tap") == 0) {
        /* A link-local address for neighbour discovery and router
         * solicitations (synack answers them as the link's router). */
        netif_create_ip6_linklocal_address(&netif, 1);
        netif_ip6_addr_set_state(&netif, 0, IP6_ADDR_PREFERRED);
    }
    netif_set_default(&netif);
    netif_set_link_up(&netif);
    netif_set_up(&netif);
    UNLOCK_TCPIP_CORE();
    fprintf(stderr, PROG ": lwIP %s on %s %s, %s on port %d\n", LWIP_VERSION_STRING, link, dev,
            env("SYNACK_SERVICE", NULL), port);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    return 0;
}
