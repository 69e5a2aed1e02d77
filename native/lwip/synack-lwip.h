/*
 * synack-lwip: what the services (synack-lwip.c) and the agent (agent.c)
 * share. Everything here is used under lwIP's core lock or in its callbacks.
 */
#ifndef SYNACK_LWIP_H
#define SYNACK_LWIP_H

#include <stddef.h>

#include "lwip/ip_addr.h"
#include "lwip/tcp.h"

#define PROG "synack-lwip"

/* The built-in services (harness/src/target/services.rs); SCRIPTED: a
 * connection the agent's caller drives (a listener without a service, or
 * an active open), held as `silent` holds its own. */
enum service { ECHO, DISCARD, HTTP, SILENT, ABORT, CLOSED_PORT, SCRIPTED };

struct conn {
    struct conn *next;   /* every connection accepted and not yet freed */
    struct tcp_pcb *pcb; /* NULL once lwIP freed it (error callback) */
    enum service service;
    ip_addr_t remote_ip; /* the peer, kept after the pcb is gone */
    u16_t remote_port;
    unsigned char *outbox; /* bytes still to write (echo, http) */
    size_t out_len, out_cap;
    unsigned char *inbox; /* received, not yet read (silent, scripted) */
    size_t in_len, in_cap;
    char request[2048];
    size_t req_len;
    int responded;
    int peer_closed;
    int close_pending; /* a delayed close is scheduled */
    int finished;      /* closed or aborted */
    int connected;     /* an active open: the handshake completed */
    err_t error;       /* what lwIP reported when it freed the pcb */
};

/* The connections the services and the agent hold. */
extern struct conn *conns;
/* The close delay of the built-in services, in milliseconds. */
extern u32_t close_delay_ms;

/* "echo" ... "closed" to a service; -1 when unknown. */
int service_by_name(const char *name);
const char *service_name(enum service s);
/* Listens on `port` (any address) with `service`: 0 when it does now (or
 * already did with that service), -1 when the port has another service or
 * lwIP refused. */
int listen_on(u16_t port, enum service service);
/* Stops a listener of the agent's caller (SCRIPTED): the port is closed
 * again, and SYNs to it are answered with RST. */
void unlisten(u16_t port);
/* A connection for `pcb`, with the callbacks of its service. */
struct conn *conn_attach(struct tcp_pcb *pcb, enum service service);
/* close(): FIN, or RST when received bytes were never read (lwIP decides). */
void conn_close(struct conn *c);
/* SO_LINGER {1, 0} and close(): RST now. */
void conn_abort(struct conn *c);
/* Reads up to `max` bytes of what arrived (scripted and silent) and opens
 * the window by as much. */
size_t conn_read(struct conn *c, unsigned char *out, size_t max);

/* Returns once every packet synack wrote to the device before now has been
 * taken in by lwIP (call it without the core lock). */
void settle(void);

/* The agent: listens on SYNACK_AGENT (a kernel socket in the namespace,
 * apart from the device under test) when it is set. Returns 0, or -1 with
 * a message on stderr. */
int agent_start(void);

/* The agent's socket API (agent-calls.c), core locked: the reply (JSON,
 * malloc'd) to `call`, `finished` or `release` of the session `local` <->
 * `peer`; `call` is the call's JSON object. */
char *calls_perform(long long id, const char *op, const char *local, const char *peer,
                    const char *call, int may_block, long long token);
/* Retries the calls that block, now that lwIP has moved (its callbacks):
 * a call returns when what wakes it arrives, as a blocked syscall does. */
void calls_wake(void);
/* Closes every session's descriptors (the control connection is gone). */
void calls_forget(void);

#endif
