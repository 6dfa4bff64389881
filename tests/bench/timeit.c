/* timeit: run a command once and append "<wall µs> <peak RSS KiB>" to a file.
 * The clock spans fork to reap only, so the shell and `date` processes of a
 * benchmark script do not count (they cost milliseconds on a loaded machine,
 * which would flatten every ratio towards 1).  Exits with the command's status.
 *
 * usage: timeit OUTFILE COMMAND [ARG]... */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit OUTFILE COMMAND [ARG]...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("timeit: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("timeit: wait");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	f = fopen(argv[1], "a");
	if (!f) {
		perror("timeit: output file");
		return 1;
	}
	fprintf(f, "%lld %ld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000,
	        ru.ru_maxrss);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
