/*
 * limit-http: the smallest HTTP/1.1 server that still keeps connections alive, for `netloop bench`'s `c` column.
 *
 * One thread, one edge-triggered epoll set. It parses nothing: every request, meaning everything up to a blank line
 * ("\r\n\r\n", RFC 9112 section 2.1: the header section ends with an empty line), is answered with the same 200
 * "Hello, World!". Requests may arrive pipelined and split anywhere: the blank-line match is carried from one read to
 * the next, and one answer is owed per request. What a connection owes is a byte count only: the bytes come from one
 * shared block holding the answer many times over, so a connection costs 16 bytes of state however deep its pipeline.
 * The Date header (RFC 9110 section 6.6.1: a server with a clock sends it) is rewritten once a second.
 *
 * Build: gcc -O2 -Wall -o limit-http limit-http.c
 * Run:   ./limit-http PORT [ADDRESS]        (ADDRESS: an IPv4 address, 127.0.0.1 when left out)
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
#include <time.h>
#include <unistd.h>

enum { REPEATS = 256, EVENTS = 512, READ_SIZE = 64 * 1024 };

struct client {
    uint64_t owed;  /* answer bytes not yet sent */
    uint8_t seen;   /* how much of "\r\n\r\n" ends the bytes read so far: 0 to 3 */
    uint8_t live;
};

static struct client *clients; /* indexed by descriptor: no allocation per connection */
static int client_slots;
static char *answers;          /* the answer, REPEATS times */
static size_t answer_size, answers_size;
static time_t date_second = -1;

/* Writes the answer for the current second REPEATS times into the shared block (the length never changes). */
static void write_answers(time_t now) {
    char date[40], one[256];
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    int n = snprintf(one, sizeof one,
                     "HTTP/1.1 200 OK\r\nServer: limit-http\r\nContent-Type: text/plain\r\n"
                     "Content-Length: 13\r\nDate: %s\r\n\r\nHello, World!", date);
    if (answers == NULL) {
        answer_size = (size_t)n;
        answers_size = answer_size * REPEATS;
        answers = malloc(answers_size);
        if (answers == NULL) { perror("limit-http: malloc"); exit(1); }
    }
    for (size_t at = 0; at < answers_size; at += answer_size) memcpy(answers + at, one, answer_size);
    date_second = now;
}

static void hang_up(int fd) {
    memset(&clients[fd], 0, sizeof clients[fd]);
    close(fd); /* the last descriptor of the socket: epoll forgets it too */
}

/* Sends what fd owes until done or the socket is full; 0 when the connection stays, -1 when it was closed. */
static int pay(int fd) {
    struct client *c = &clients[fd];
    while (c->owed > 0) {
        /* Answers are sent whole and in order, so the bytes owed say where inside an answer the next byte is. */
        size_t from = (answer_size - c->owed % answer_size) % answer_size;
        size_t size = answers_size - from;
        if (size > c->owed) size = (size_t)c->owed;
        ssize_t sent = send(fd, answers + from, size, MSG_NOSIGNAL);
        if (sent >= 0) { c->owed -= (uint64_t)sent; continue; }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0; /* EPOLLOUT will say when to go on */
        hang_up(fd);
        return -1;
    }
    return 0;
}

/* Counts the requests that end in the bytes read, carrying a partial "\r\n\r\n" over in c->seen. */
static uint64_t count_requests(struct client *c, const char *bytes, size_t size) {
    uint64_t ended = 0;
    unsigned seen = c->seen;
    for (size_t i = 0; i < size; i++) {
        char b = bytes[i];
        if (b == '\r') seen = seen == 2 ? 3 : 1;
        else if (b == '\n' && seen == 3) { ended++; seen = 0; }
        else seen = b == '\n' && seen == 1 ? 2 : 0;
    }
    c->seen = (uint8_t)seen;
    return ended;
}

/* Reads until the socket is empty (edge-triggered: no second notice comes for bytes left behind). */
static void serve(int fd) {
    static char bytes[READ_SIZE];
    for (;;) {
        ssize_t got = recv(fd, bytes, sizeof bytes, 0);
        if (got > 0) {
            uint64_t requests = count_requests(&clients[fd], bytes, (size_t)got);
            if (requests > 0) {
                clients[fd].owed += requests * answer_size;
                if (pay(fd) < 0) return;
            }
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
        clients[fd] = (struct client){.live = 1};
        struct epoll_event interest = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = fd};
        if (epoll_ctl(poller, EPOLL_CTL_ADD, fd, &interest) < 0) hang_up(fd);
    }
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) { fprintf(stderr, "usage: limit-http PORT [ADDRESS]\n"); return 2; }
    const char *address = argc == 3 ? argv[2] : "127.0.0.1";
    struct sockaddr_in where = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    if (inet_pton(AF_INET, address, &where.sin_addr) != 1) { fprintf(stderr, "limit-http: bad address %s\n", address); return 2; }
    signal(SIGPIPE, SIG_IGN);

    /* As many connections as the hard limit allows: the table is reserved, not touched, until descriptors are used. */
    struct rlimit files;
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    getrlimit(RLIMIT_NOFILE, &files);
    client_slots = (int)files.rlim_cur;
    clients = calloc((size_t)client_slots, sizeof *clients);
    if (clients == NULL) { perror("limit-http: calloc"); return 1; }
    write_answers(time(NULL));

    int yes = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(listener, (struct sockaddr *)&where, sizeof where) < 0 || listen(listener, 4096) < 0) {
        perror("limit-http: listen");
        return 1;
    }
    int poller = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event interest = {.events = EPOLLIN | EPOLLET, .data.fd = listener};
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &interest);
    fprintf(stderr, "limit-http listening on %s:%s (%d descriptors)\n", address, argv[1], client_slots);

    struct epoll_event ready[EVENTS];
    for (;;) {
        int count = epoll_wait(poller, ready, EVENTS, 1000); /* wakes each second at least, for the Date */
        if (count < 0 && errno != EINTR) { perror("limit-http: epoll_wait"); return 1; }
        time_t now = time(NULL);
        if (now != date_second) write_answers(now);
        for (int i = 0; i < count; i++) {
            int fd = ready[i].data.fd;
            uint32_t events = ready[i].events;
            if (fd == listener) { accept_all(listener, poller); continue; }
            if (!clients[fd].live) continue; /* closed earlier in this batch */
            if (events & EPOLLERR) { hang_up(fd); continue; }
            if ((events & EPOLLOUT) && pay(fd) < 0) continue;
            if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) serve(fd);
        }
    }
}
