/*
 * limit-echo: the smallest TCP echo server that keeps up with its clients, for `netloop bench`'s `c` column.
 *
 * One thread, one edge-triggered epoll set. Bytes are read into one shared buffer and sent straight back; only what
 * the socket would not take right now is copied aside, into a buffer the connection holds until it is sent. While a
 * connection holds such bytes it reads nothing more (backpressure: a client that sends without reading stalls itself,
 * not the server's memory), and EPOLLOUT resumes it. An idle connection costs 16 bytes of state and no buffer.
 *
 * Build: gcc -O2 -Wall -o limit-echo limit-echo.c
 * Run:   ./limit-echo PORT [ADDRESS]        (ADDRESS: an IPv4 address, 127.0.0.1 when left out)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum { EVENTS = 512, READ_SIZE = 64 * 1024 };

struct client {
    char *held;          /* bytes read but not yet sent back, or NULL */
    uint32_t from, to;   /* the unsent part of held */
};

static struct client *clients; /* indexed by descriptor */
static int client_slots;
static char bytes[READ_SIZE];

static void hang_up(int fd) {
    free(clients[fd].held);
    clients[fd] = (struct client){0};
    close(fd); /* the last descriptor of the socket: epoll forgets it too */
}

/* Sends size bytes from data; what the socket does not take is kept in c->held. 0 ok, -1 when the socket failed. */
static int send_back(int fd, const char *data, size_t size) {
    struct client *c = &clients[fd];
    size_t done = 0;
    while (done < size) {
        ssize_t sent = send(fd, data + done, size - done, MSG_NOSIGNAL);
        if (sent >= 0) { done += (size_t)sent; continue; }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (c->held == NULL) {
            c->held = malloc(READ_SIZE);
            if (c->held == NULL) return -1;
            c->from = c->to = 0;
        }
        /* Either fresh bytes into an empty hold, or the hold's own tail moved to its front: never more than READ_SIZE. */
        memmove(c->held, data + done, size - done);
        c->from = 0;
        c->to = (uint32_t)(size - done);
        return 0;
    }
    if (c->held != NULL) { free(c->held); c->held = NULL; c->from = c->to = 0; }
    return 0;
}

/* Any notice: first send what is held, then echo until the socket is empty or full. */
static void serve(int fd) {
    struct client *c = &clients[fd];
    if (c->held != NULL) {
        if (send_back(fd, c->held + c->from, c->to - c->from) < 0) { hang_up(fd); return; }
        if (c->held != NULL) return; /* still full: wait for EPOLLOUT, read nothing */
    }
    for (;;) {
        ssize_t got = recv(fd, bytes, sizeof bytes, 0);
        if (got > 0) {
            if (send_back(fd, bytes, (size_t)got) < 0) { hang_up(fd); return; }
            if (c->held != NULL) return;
            /* A short read emptied the socket: bytes arriving later raise a new edge, so no recv is spent on EAGAIN. */
            if ((size_t)got < sizeof bytes) return;
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        hang_up(fd); /* 0: the client closed; or a reset */
        return;
    }
}

static void accept_all(int listener, int poller) {
    int yes = 1;
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return; /* EAGAIN: none left; EMFILE and the like: try again on the next notice */
        }
        if (fd >= client_slots) { close(fd); continue; }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        struct epoll_event interest = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = fd};
        if (epoll_ctl(poller, EPOLL_CTL_ADD, fd, &interest) < 0) hang_up(fd);
    }
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) { fprintf(stderr, "usage: limit-echo PORT [ADDRESS]\n"); return 2; }
    const char *address = argc == 3 ? argv[2] : "127.0.0.1";
    struct sockaddr_in where = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    if (inet_pton(AF_INET, address, &where.sin_addr) != 1) { fprintf(stderr, "limit-echo: bad address %s\n", address); return 2; }
    signal(SIGPIPE, SIG_IGN);

    struct rlimit files;
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    getrlimit(RLIMIT_NOFILE, &files);
    client_slots = (int)files.rlim_cur;
    clients = calloc((size_t)client_slots, sizeof *clients);
    if (clients == NULL) { perror("limit-echo: calloc"); return 1; }

    int yes = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(listener, (struct sockaddr *)&where, sizeof where) < 0 || listen(listener, 4096) < 0) {
        perror("limit-echo: listen");
        return 1;
    }
    int poller = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event interest = {.events = EPOLLIN | EPOLLET, .data.fd = listener};
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &interest);
    fprintf(stderr, "limit-echo listening on %s:%s (%d descriptors)\n", address, argv[1], client_slots);

    struct epoll_event ready[EVENTS];
    for (;;) {
        int count = epoll_wait(poller, ready, EVENTS, -1);
        if (count < 0 && errno != EINTR) { perror("limit-echo: epoll_wait"); return 1; }
        for (int i = 0; i < count; i++) {
            int fd = ready[i].data.fd;
            if (fd == listener) { accept_all(listener, poller); continue; }
            if (ready[i].events & EPOLLERR) { hang_up(fd); continue; }
            serve(fd);
        }
    }
}
