// Four threads share a counter under a mutex and take turns through a condition variable.
// Phase 1: all four sleep 1 s at once (elapsed 1.0). Phase 2: each sleeps 0.5 s in turn, in
// thread order (elapsed 3.0). Meanwhile main times out once in pthread_cond_timedwait (at 1.2).
// The lines are the same natively and in every simulated run; the simulated times are exact.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define THREADS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed;
static int counter, arrived, turn, order[THREADS], done;
static struct timespec start;

static double elapsed(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  sleep_ms(1000);
  for (int i = 0; i < 10000; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  arrived++;
  pthread_cond_broadcast(&changed);
  while (turn != id) pthread_cond_wait(&changed, &lock);
  pthread_mutex_unlock(&lock);

  sleep_ms(500);

  pthread_mutex_lock(&lock);
  order[done++] = id;
  turn++;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&changed, &attr);
  clock_gettime(CLOCK_MONOTONIC, &start);

  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);

  pthread_mutex_lock(&lock);
  while (arrived < THREADS) pthread_cond_wait(&changed, &lock);
  printf("parallel sleeps done: counter %d at %.1f\n", counter, elapsed());
  // Nothing signals a turn of 99: the wait ends by its timeout, 0.2 s later.
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += 200000000L;
  if (deadline.tv_nsec >= 1000000000L) deadline.tv_sec++, deadline.tv_nsec -= 1000000000L;
  int rc = 0;
  while (turn != 99 && rc == 0) rc = pthread_cond_timedwait(&changed, &lock, &deadline);
  printf("timedwait: %s at %.1f\n", strerrorname_np(rc), elapsed());
  pthread_mutex_unlock(&lock);

  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  printf("sequential sleeps done: order %d %d %d %d, counter %d at %.1f\n", order[0], order[1], order[2], order[3], counter,
         elapsed());
  return 0;
}
