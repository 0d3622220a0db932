/* spawn.c: fork + execvp with an argument vector, never a shell. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "phsim_interrupt.h"

/* In the child: stdin from /dev/null, cwd, default signal actions, exec.
 * On failure the errno goes up the close-on-exec pipe. */
static void child(const char *const argv[], const char *cwd, int report) {
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    if (null != STDIN_FILENO) close(null);
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  int e = 0;
  if (cwd != NULL && chdir(cwd) != 0) e = errno;
  if (e == 0) {
    execvp(argv[0], (char *const *)argv);
    e = errno;
  }
  ssize_t w = write(report, &e, sizeof e);
  (void)w;
  _exit(127);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Wait for pid, polling the stop flag; on a stop, TERM then KILL it. */
static int wait_polling(pid_t pid, int *wstatus) {
  for (;;) {
    pid_t got = waitpid(pid, wstatus, WNOHANG);
    if (got == pid) return PHSIM_OK;
    if (got < 0 && errno != EINTR) return PHSIM_EIO;
    if (phsim_interrupted()) {
      kill(pid, SIGTERM);
      for (int i = 0; i < 50 && waitpid(pid, wstatus, WNOHANG) == 0; i++) sleep_ms(20);
      if (waitpid(pid, wstatus, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, wstatus, 0);
      }
      return PHSIM_EINTR;
    }
    sleep_ms(20);
  }
}

int phsim_spawn(const char *const argv[], const char *cwd,
                char err[PHSIM_ERR_MAX]) {
  int pipefd[2];
  if (pipe(pipefd) != 0 || fcntl(pipefd[0], F_SETFD, FD_CLOEXEC) != 0 ||
      fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) != 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot start '%s': %s", argv[0], strerror(errno));
    return PHSIM_EIO;
  }
  fflush(NULL); /* nothing buffered is written twice */
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot start '%s': %s", argv[0], strerror(errno));
    close(pipefd[0]);
    close(pipefd[1]);
    return PHSIM_EIO;
  }
  if (pid == 0) child(argv, cwd, pipefd[1]);
  close(pipefd[1]);
  int child_errno = 0;
  ssize_t got;
  do got = read(pipefd[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  close(pipefd[0]);
  int wstatus = 0;
  int st = wait_polling(pid, &wstatus);
  if (st == PHSIM_EINTR) {
    snprintf(err, PHSIM_ERR_MAX, "interrupted by %s while '%s' ran",
             phsim_interrupt_cause(), argv[0]);
    return st;
  }
  if (got == (ssize_t)sizeof child_errno) {
    snprintf(err, PHSIM_ERR_MAX, "cannot run '%s' in directory '%.300s': %s", argv[0],
             cwd ? cwd : ".", strerror(child_errno));
    return PHSIM_EIO;
  }
  if (st != PHSIM_OK || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    if (st == PHSIM_OK && WIFSIGNALED(wstatus))
      snprintf(err, PHSIM_ERR_MAX, "'%s' was killed by signal %d", argv[0], WTERMSIG(wstatus));
    else
      snprintf(err, PHSIM_ERR_MAX, "'%s' failed (exit status %d)", argv[0],
               st == PHSIM_OK ? WEXITSTATUS(wstatus) : -1);
    return PHSIM_EIO;
  }
  return PHSIM_OK;
}
