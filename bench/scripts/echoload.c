/*
 * echoload: a minimal closed-loop echo load client in C, so the load side costs as little as possible.
 * Each connection sends one MSGSIZE message, waits for all of it to come back, and sends the next.
 * Prints MB/s echoed and messages/s. With HOLD_SECONDS > 0 it only opens CONNS idle connections and holds them.
 *
 * Build: gcc -O2 -o echoload echoload.c
 * Usage: echoload PORT CONNS MSGSIZE SECONDS [HOLD_SECONDS]
 * Superseded by `netloop load` (issue P3); kept for the P1 measurements in BENCHMARKS.md.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd; size_t received; } conn;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s PORT CONNS MSGSIZE SECONDS [HOLD_SECONDS]\n", argv[0]); return 2; }
    int port = atoi(argv[1]), count = atoi(argv[2]), size = atoi(argv[3]);
    double seconds = atof(argv[4]);
    int hold = argc > 5 ? atoi(argv[5]) : 0;
    char *message = malloc(size), *scratch = malloc(1 << 16);
    memset(message, 'x', size);
    int ep = epoll_create1(0);
    conn *conns = calloc(count, sizeof(conn));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conns[i].fd = fd;
        if (hold) continue;
        fcntl(fd, F_SETFL, O_NONBLOCK);
        struct epoll_event e = { .events = EPOLLIN, .data.u32 = (unsigned)i };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        send(fd, message, size, MSG_NOSIGNAL);
    }
    if (hold) { printf("holding %d connections\n", count); fflush(stdout); sleep(hold); return 0; }
    double start = now(), end = start + seconds;
    long long bytes = 0, messages = 0;
    struct epoll_event events[256];
    while (now() < end) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int j = 0; j < n; j++) {
            conn *c = &conns[events[j].data.u32];
            for (;;) {
                ssize_t r = recv(c->fd, scratch, 1 << 16, 0);
                if (r <= 0) break;
                c->received += (size_t)r;
                bytes += r;
            }
            while (c->received >= (size_t)size) {
                c->received -= (size_t)size;
                messages++;
                send(c->fd, message, size, MSG_NOSIGNAL);
            }
        }
    }
    double elapsed = now() - start;
    printf("%.1f MB/s %.0f msg/s\n", bytes / elapsed / 1e6, messages / elapsed);
    return 0;
}
