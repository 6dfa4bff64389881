/* rttrelay: a loopback TCP relay that delays every byte by half a round
 * trip in each direction, so that a client talking to a server through it
 * sees a network RTT away (kernel netem is not available in these
 * sandboxes).  The TCP handshake is modelled too: a connection's first
 * bytes towards the server leave one RTT after the connection was accepted
 * (the SYN / SYN-ACK exchange the loopback completes at once), then take
 * their half RTT; so a TLS handshake over it costs what it costs on a real
 * network.  Bandwidth is not limited.
 *
 * usage: rttrelay RTT_MS UPSTREAM_PORT [STATS_FILE [PORT]]
 * Listens on 127.0.0.1 (PORT, or a free one), prints "listening on PORT", relays
 * every connection to 127.0.0.1:UPSTREAM_PORT.  STATS_FILE, rewritten at
 * every new connection, holds "connections N".  Runs until killed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 512
#define CHUNK     65536

struct chunk {
	int64_t due_us; /* when it may be written */
	size_t len, off;
	int eof; /* an end of stream, delivered in order */
	struct chunk *next;
	char data[];
};

/* One direction of a relayed connection. */
struct flow {
	int from, to;
	struct chunk *head, *tail;
	int read_eof;  /* `from` gave EOF */
	int write_eof; /* `to` got its shutdown */
};

struct conn {
	int used;
	int64_t accepted_us;
	struct flow up, down; /* up: client -> server */
};

static struct conn conns[MAX_CONNS];
static int64_t half_us, rtt_us;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void nonblock(int fd)
{
	int one = 1;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void enqueue(struct flow *f, const char *p, size_t n, int eof, int64_t due)
{
	struct chunk *c = malloc(sizeof(*c) + n);

	if (!c) {
		perror("rttrelay: malloc");
		exit(1);
	}
	c->due_us = due;
	c->len = n;
	c->off = 0;
	c->eof = eof;
	c->next = NULL;
	memcpy(c->data, p, n);
	if (f->tail)
		f->tail->next = c;
	else
		f->head = c;
	f->tail = c;
}

static void conn_close(struct conn *c)
{
	struct chunk *k, *next;

	for (k = c->up.head; k; k = next) {
		next = k->next;
		free(k);
	}
	for (k = c->down.head; k; k = next) {
		next = k->next;
		free(k);
	}
	close(c->up.from);
	close(c->up.to);
	memset(c, 0, sizeof(*c));
}

/* Read what `from` has and queue it with its delay. */
static void pump_in(struct conn *c, struct flow *f, int upward)
{
	char buf[CHUNK];
	ssize_t n = read(f->from, buf, sizeof(buf));
	int64_t t = now_us();

	/* the first bytes up wait for the modelled TCP handshake */
	if (upward && t < c->accepted_us + rtt_us)
		t = c->accepted_us + rtt_us;
	if (n > 0)
		enqueue(f, buf, (size_t)n, 0, t + half_us);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		f->read_eof = 1;
		enqueue(f, "", 0, 1, t + half_us);
	}
}

/* Write what is due; returns the time the next chunk is due, or -1. */
static int64_t pump_out(struct flow *f, int64_t t)
{
	while (f->head && f->head->due_us <= t) {
		struct chunk *c = f->head;
		if (c->eof) {
			shutdown(f->to, SHUT_WR);
			f->write_eof = 1;
		} else {
			ssize_t n = write(f->to, c->data + c->off, c->len - c->off);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return t; /* try again at the next poll */
			if (n < 0) {
				f->write_eof = 1;
				f->read_eof = 1;
			} else {
				c->off += (size_t)n;
				if (c->off < c->len)
					return t;
			}
		}
		f->head = c->next;
		if (!f->head)
			f->tail = NULL;
		free(c);
	}
	return f->head ? f->head->due_us : -1;
}

static void write_stats(const char *path, unsigned long n)
{
	char tmp[4096];
	FILE *f;

	if (!path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w"))) {
		fprintf(f, "connections %lu\n", n);
		fclose(f);
		rename(tmp, path);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa, up;
	socklen_t sl = sizeof(sa);
	unsigned long accepted = 0;
	int lfd, one = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: rttrelay RTT_MS UPSTREAM_PORT [STATS_FILE [PORT]]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	rtt_us = (int64_t)(atof(argv[1]) * 1000.0);
	half_us = rtt_us / 2;
	memset(&up, 0, sizeof(up));
	up.sin_family = AF_INET;
	up.sin_port = htons((uint16_t)atoi(argv[2]));
	up.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)(argc > 4 ? atoi(argv[4]) : 0));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("rttrelay: listen");
		return 1;
	}
	nonblock(lfd);
	write_stats(argc > 3 ? argv[3] : NULL, 0);
	printf("listening on %d\n", ntohs(sa.sin_port));
	fflush(stdout);

	for (;;) {
		struct pollfd pfd[1 + 2 * MAX_CONNS];
		int map[1 + 2 * MAX_CONNS], np = 0, i, timeout = -1;
		int64_t t = now_us(), next = -1;

		/* write what is due, and close what is finished */
		for (i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			int64_t a, b;
			if (!c->used)
				continue;
			a = pump_out(&c->up, t);
			b = pump_out(&c->down, t);
			if (c->up.write_eof && c->down.write_eof && !c->up.head && !c->down.head) {
				conn_close(c);
				continue;
			}
			if (a >= 0 && (next < 0 || a < next))
				next = a;
			if (b >= 0 && (next < 0 || b < next))
				next = b;
		}
		if (next >= 0)
			timeout = next <= t ? 0 : (int)((next - t + 999) / 1000);
		pfd[np].fd = lfd;
		pfd[np].events = POLLIN;
		map[np++] = -1;
		for (i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			if (!c->used)
				continue;
			if (!c->up.read_eof) {
				pfd[np].fd = c->up.from;
				pfd[np].events = POLLIN;
				map[np++] = 2 * i;
			}
			if (!c->down.read_eof) {
				pfd[np].fd = c->down.from;
				pfd[np].events = POLLIN;
				map[np++] = 2 * i + 1;
			}
		}
		if (poll(pfd, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			perror("rttrelay: poll");
			return 1;
		}
		for (i = 0; i < np; i++) {
			if (!pfd[i].revents)
				continue;
			if (map[i] < 0) {
				int cfd, ufd, k;
				while ((cfd = accept(lfd, NULL, NULL)) >= 0) {
					for (k = 0; k < MAX_CONNS && conns[k].used; k++)
						;
					ufd = socket(AF_INET, SOCK_STREAM, 0);
					if (k == MAX_CONNS || ufd < 0 ||
					    connect(ufd, (struct sockaddr *)&up, sizeof(up)) < 0) {
						close(cfd);
						if (ufd >= 0)
							close(ufd);
						continue;
					}
					nonblock(cfd);
					nonblock(ufd);
					conns[k].used = 1;
					conns[k].accepted_us = now_us();
					conns[k].up.from = cfd;
					conns[k].up.to = ufd;
					conns[k].down.from = ufd;
					conns[k].down.to = cfd;
					write_stats(argc > 3 ? argv[3] : NULL, ++accepted);
				}
				continue;
			}
			{
				struct conn *c = &conns[map[i] / 2];
				if (map[i] % 2 == 0)
					pump_in(c, &c->up, 1);
				else
					pump_in(c, &c->down, 0);
			}
		}
	}
}
