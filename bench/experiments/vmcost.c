/* vmcost.c: what a system call and a thread wake-up cost on this machine.
 * Not built by make: cc -O2 -pthread vmcost.c -o /tmp/vmcost && /tmp/vmcost
 * On the 2-core development VM (a PVM guest) these are ~2.5 us and ~25 us,
 * 20-50 times bare metal, which is why RESULTS.md counts system calls and
 * context switches per request. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sv[2];

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *echo(void *a)
{
	(void)a;
	char c;
	while (read(sv[1], &c, 1) == 1 && write(sv[1], &c, 1) == 1)
		;
	return NULL;
}

int main(void)
{
	int n = 200000;
	double t = now();
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("system call (getppid): %.2f us\n", (now() - t) / n * 1e6);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	pthread_t th;
	pthread_create(&th, NULL, echo, NULL);
	n = 20000;
	char c = 'x';
	t = now();
	for (int i = 0; i < n; i++)
		if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
			return 1;
	printf("ping-pong with a thread (2 wake-ups, 4 system calls): %.2f us\n", (now() - t) / n * 1e6);
	return 0;
}
