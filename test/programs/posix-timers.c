/* POSIX timers (timer_create(2) and friends) as daemons use them: a periodic CLOCK_MONOTONIC
 * timer raising SIGALRM (counted by sigwait), a one-shot absolute CLOCK_REALTIME timer raising
 * SIGUSR1 at a thread (SIGEV_THREAD_ID), the siginfo a timer signal carries (SI_TIMER, the
 * sigev_value), glibc's SIGEV_THREAD, SIGEV_NONE read with timer_gettime, and the errors.
 * Prints what each call returned and what was seen; the same natively and under the simulator. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void report(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerrorname_np(errno));
  else printf("%s: %ld\n", what, r);
}

static long long ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ran = PTHREAD_COND_INITIALIZER;
static int thread_value;

static void on_timer(union sigval v) {
  pthread_mutex_lock(&lock);
  thread_value = v.sival_int;
  pthread_cond_signal(&ran);
  pthread_mutex_unlock(&lock);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGALRM);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);

  timer_t periodic;
  struct sigevent alarm = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
  report("timer_create MONOTONIC SIGEV_SIGNAL", timer_create(CLOCK_MONOTONIC, &alarm, &periodic));
  struct itimerspec every = {.it_interval = {0, 20000000}, .it_value = {0, 50000000}};
  long long start = ns(CLOCK_MONOTONIC);
  report("timer_settime 50 ms then every 20 ms", timer_settime(periodic, 0, &every, NULL));
  int sig, alarms = 0;
  while (alarms < 3 && sigwait(&set, &sig) == 0) alarms += sig == SIGALRM;
  long long took = ns(CLOCK_MONOTONIC) - start;
  printf("three SIGALRM after at least 90 ms: %s, before 1 s: %s\n", took >= 90000000 ? "yes" : "no", took < 1000000000 ? "yes" : "no");
  struct itimerspec left;
  report("timer_gettime", timer_gettime(periodic, &left));
  printf("interval %ld ns, next within it: %s\n", left.it_interval.tv_nsec, left.it_value.tv_nsec > 0 && left.it_value.tv_nsec <= 20000000 ? "yes" : "no");
  report("timer_getoverrun", timer_getoverrun(periodic));
  struct itimerspec off = {0}, was;
  report("timer_settime disarm", timer_settime(periodic, 0, &off, &was));
  printf("was armed: %s\n", was.it_value.tv_sec || was.it_value.tv_nsec ? "yes" : "no");
  report("timer_delete", timer_delete(periodic));
  report("timer_delete again", timer_delete(periodic));

  timer_t once;
  struct sigevent to_me = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
  to_me._sigev_un._tid = (pid_t)syscall(SYS_gettid);
  report("timer_create REALTIME SIGEV_THREAD_ID", timer_create(CLOCK_REALTIME, &to_me, &once));
  struct itimerspec at = {0};
  long long when = ns(CLOCK_REALTIME) + 30000000;
  at.it_value.tv_sec = when / 1000000000;
  at.it_value.tv_nsec = when % 1000000000;
  report("timer_settime TIMER_ABSTIME in 30 ms", timer_settime(once, TIMER_ABSTIME, &at, NULL));
  sigwait(&set, &sig);
  printf("got %s at or after the absolute time: %s\n", sig == SIGUSR1 ? "SIGUSR1" : "another signal", ns(CLOCK_REALTIME) >= when ? "yes" : "no");
  report("timer_gettime after the one shot", timer_gettime(once, &left));
  printf("disarmed: %s\n", left.it_value.tv_sec == 0 && left.it_value.tv_nsec == 0 ? "yes" : "no");

  timer_t valued;
  struct sigevent with_value = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value = {.sival_int = 4242}};
  report("timer_create SIGEV_SIGNAL with a value", timer_create(CLOCK_MONOTONIC, &with_value, &valued));
  struct itimerspec soon = {.it_value = {0, 10000000}};
  report("timer_settime 10 ms", timer_settime(valued, 0, &soon, NULL));
  siginfo_t info;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  int got = sigwaitinfo(&set, &info);
  printf("sigwaitinfo: %s, si_code SI_TIMER: %s, si_value %d, si_overrun %d\n", got == SIGUSR1 ? "SIGUSR1" : "other",
         info.si_code == SI_TIMER ? "yes" : "no", info.si_value.sival_int, info.si_overrun);
  timer_delete(valued);

  timer_t threaded;
  struct sigevent in_thread = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_timer, .sigev_value = {.sival_int = 7}};
  report("timer_create SIGEV_THREAD", timer_create(CLOCK_MONOTONIC, &in_thread, &threaded));
  report("timer_settime 10 ms", timer_settime(threaded, 0, &soon, NULL));
  pthread_mutex_lock(&lock);
  while (thread_value == 0) pthread_cond_wait(&ran, &lock);
  pthread_mutex_unlock(&lock);
  printf("SIGEV_THREAD function ran with value %d\n", thread_value);
  timer_delete(threaded);

  timer_t quiet;
  struct sigevent none = {.sigev_notify = SIGEV_NONE};
  report("timer_create SIGEV_NONE", timer_create(CLOCK_MONOTONIC, &none, &quiet));
  struct itimerspec second = {.it_value = {1, 0}};
  report("timer_settime 1 s", timer_settime(quiet, 0, &second, NULL));
  report("timer_gettime", timer_gettime(quiet, &left));
  printf("about a second left: %s\n", left.it_value.tv_sec == 0 && left.it_value.tv_nsec > 900000000 ? "yes" : left.it_value.tv_sec == 1 ? "yes" : "no");

  timer_t bad;
  struct sigevent wrong = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99};
  report("timer_create bad signal", timer_create(CLOCK_MONOTONIC, &wrong, &bad));
  struct sigevent badtid = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
  badtid._sigev_un._tid = 999999;
  report("timer_create bad thread", timer_create(CLOCK_MONOTONIC, &badtid, &bad));
  report("timer_create bad clock", syscall(SYS_timer_create, 42, NULL, &bad));
  report("timer_create bad pointer", syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, (void *)8));
  struct itimerspec invalid = {.it_value = {0, 2000000000}};
  report("timer_settime bad value", timer_settime(quiet, 0, &invalid, NULL));
  report("timer_settime NULL", syscall(SYS_timer_settime, 0, 0, NULL, NULL));
  report("timer_gettime unknown timer", syscall(SYS_timer_gettime, 12345, &left));
  return 0;
}
