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
 * Extending it with the agent protocol (docs/agent-protocol.md, once it
 * lands): listen on a kernel socket in the namespace (loopback), and run
 * each request under LOCK_TCPIP_CORE(): `state` finds the pcb of the 4-tuple
 * in tcp_active_pcbs / tcp_tw_pcbs (lwip/priv/tcp_priv.h) and maps
 * pcb->state (enum tcp_state) to its RFC name; `write`, `read`, `close`,
 * `abort` act on the struct conn of that peer (conns, below).
 *
 * Our own code; it links against lwIP and copies none of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdint.h>
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

#define PROG "synack-lwip"

static const char HTTP_RESPONSE[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

enum service { ECHO, DISCARD, HTTP, SILENT, ABORT, CLOSED_PORT };

static enum service service;
static u32_t close_delay_ms;
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

struct conn {
    struct conn *next;   /* every connection accepted and not yet freed */
    struct tcp_pcb *pcb; /* NULL once lwIP freed it (error callback) */
    unsigned char *outbox; /* bytes still to write (echo, http) */
    size_t out_len, out_cap;
    char request[2048];
    size_t req_len;
    int responded;
    int peer_closed;
    int close_pending; /* a delayed close is scheduled */
    int finished;      /* closed or aborted */
};

/* The connections the services hold, for lookups by peer (the agent). */
static struct conn *conns;

static void conn_free(struct conn *c)
{
    for (struct conn **p = &conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    free(c->outbox);
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

static void outbox_add(struct conn *c, const void *data, size_t len)
{
    if (c->out_len + len > c->out_cap) {
        size_t cap = (c->out_len + len) * 2;
        unsigned char *n = realloc(c->outbox, cap);
        if (!n)
            die("out of memory");
        c->outbox = n;
        c->out_cap = cap;
    }
    memcpy(c->outbox + c->out_len, data, len);
    c->out_len += len;
}

/* Writes what fits; echo then reads (opens the window) as much as it wrote. */
static void flush(struct conn *c)
{
    size_t room = tcp_sndbuf(c->pcb);
    size_t n = c->out_len < room ? c->out_len : room;
    if (n > 0 && tcp_write(c->pcb, c->outbox, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
        memmove(c->outbox, c->outbox + n, c->out_len - n);
        c->out_len -= n;
        if (service == ECHO)
            tcp_recved(c->pcb, (u16_t)n);
        tcp_output(c->pcb);
    }
    int done_writing = c->out_len == 0;
    if (done_writing && (c->peer_closed || (service == HTTP && c->responded)))
        want_close(c);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb;
    (void)len;
    struct conn *c = arg;
    if (c && !c->finished)
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
        if (c->finished || service == SILENT)
            return ERR_OK;
        if (service == HTTP || service == DISCARD || service == ABORT ||
            (service == ECHO && c->out_len == 0))
            want_close(c);
        return ERR_OK;
    }
    u16_t len = p->tot_len;
    if (c->finished) {
        pbuf_free(p);
        return ERR_OK;
    }
    switch (service) {
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
        c->finished = 1;
        conn_release(c);
        tcp_abort(pcb);
        return ERR_ABRT;
    case SILENT:
    case CLOSED_PORT:
        pbuf_free(p); /* never read: the window closes */
        return ERR_OK;
    }
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    (void)err;
    struct conn *c = arg;
    if (!c)
        return;
    c->pcb = NULL; /* lwIP freed it */
    c->finished = 1;
    if (!c->close_pending)
        conn_free(c);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return ERR_MEM;
    c->pcb = pcb;
    c->next = conns;
    conns = c;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    return ERR_OK;
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

static void dev_reader(void *arg)
{
    struct netif *netif = arg;
    static unsigned char buf[65536];
    for (;;) {
        ssize_t n = read(dev_fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror(PROG ": read from the device");
            exit(1);
        }
        if (n == 0 || n > 0xffff)
            continue;
        /* PBUF_RAM, not PBUF_POOL: Debian's liblwip 2.1.3 allocates 616-byte
         * pool buffers but fills up to 1536 bytes into one (pbuf.c and memp.c
         * disagree on PBUF_POOL_BUFSIZE): a heap overflow on any frame over
         * ~590 bytes, which is how its own tapif crashes. */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (!p)
            continue;
        pbuf_take(p, buf, (u16_t)n);
        if (netif->input(p, netif) != ERR_OK)
            pbuf_free(p);
    }
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
    }
    sys_thread_new("dev_reader", dev_reader, netif, 0, 0);
    return ERR_OK;
}

/* ---- start -------------------------------------------------------------- */

static enum service parse_service(const char *s)
{
    static const char *names[] = {"echo", "discard", "http", "silent", "abort", "closed"};
    for (int i = 0; i < 6; i++)
        if (strcmp(s, names[i]) == 0)
            return (enum service)i;
    fprintf(stderr, PROG ": unknown SYNACK_SERVICE `%s`\n", s);
    exit(2);
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
    service = parse_service(env("SYNACK_SERVICE", NULL));
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
    static struct netif netif;
    LOCK_TCPIP_CORE();
    /* The listener first, so that the first SYN that gets through finds it. */
    if (service != CLOSED_PORT) {
        struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
        if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, (u16_t)port) != ERR_OK)
            die("cannot bind the listener");
        pcb = tcp_listen_with_backlog(pcb, 16);
        if (!pcb)
            die("cannot listen");
        tcp_accept(pcb, on_accept);
    }
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
