/* bench/abtime.c — runs commands alternately and reports each one's median
 * wall and CPU time.  For the side-by-side benchmarks (bench/lean.sh): the
 * commands take turns, so a change in the machine's load falls on all of
 * them alike, and each run is timed from fork to exit (CLOCK_MONOTONIC) with
 * nothing between the clock and the program, where a shell and GNU time in
 * between added about 10 ms to every run.  CPU time is the child's user +
 * system time (wait4).
 *
 *   abtime RUNS -- prog args... [-- prog args...]...
 *
 * Prints one line per command: "median_wall_ms q1_ms q3_ms median_cpu_ms".
 * A command that exits non-zero stops the measurement (exit 1).  Its output
 * goes to /dev/null. */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 8

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* One run of argv: its wall and CPU time in ms; 0 when it ran and exited 0. */
static int run(char **argv, double *wall, double *cpu) {
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    execvp(argv[0], argv);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid) return -1;
  *wall = now_ms() - t0;
  *cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  char **cmd[MAX_COMMANDS];
  int ncmd = 0;
  int runs = argc > 1 ? atoi(argv[1]) : 0;
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      argv[i] = NULL; /* ends the command before it */
      if (i + 1 < argc && ncmd < MAX_COMMANDS) cmd[ncmd++] = &argv[i + 1];
    }
  if (runs < 1 || ncmd == 0) {
    fprintf(stderr, "usage: abtime RUNS -- prog args... [-- prog args...]...\n");
    return 2;
  }
  double *wall = calloc((size_t)(runs * ncmd), sizeof *wall);
  double *cpu = calloc((size_t)(runs * ncmd), sizeof *cpu);
  if (!wall || !cpu) return 1;
  for (int r = 0; r < runs; r++)
    for (int c = 0; c < ncmd; c++)
      if (run(cmd[c], &wall[c * runs + r], &cpu[c * runs + r]) != 0) {
        fprintf(stderr, "abtime: '%s' failed\n", cmd[c][0]);
        return 1;
      }
  for (int c = 0; c < ncmd; c++) {
    double *w = wall + c * runs, *u = cpu + c * runs;
    qsort(w, (size_t)runs, sizeof *w, by_value);
    qsort(u, (size_t)runs, sizeof *u, by_value);
    printf("%.2f %.2f %.2f %.2f\n", w[runs / 2], w[runs / 4], w[(3 * runs) / 4], u[runs / 2]);
  }
  free(wall);
  free(cpu);
  return 0;
}
