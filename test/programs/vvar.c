// Looks for the kernel's time pages ([vvar], [vvar_vclock]) in /proc/self/maps, names what is
// mapped in the page just below the vDSO (where the kernel puts them), and makes a plain
// faulting read: a SIGSEGV that is not rdtsc must still reach the program's handler.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;

static void onSegv(int sig) {
  (void)sig;
  siglongjmp(back, 1);
}

int main(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[512], lines[64][512];
  unsigned long start, end, vdso = 0;
  int n = 0, vvarLines = 0;
  while (n < 64 && fgets(lines[n], sizeof lines[n], maps)) {
    if (strstr(lines[n], "[vvar")) vvarLines++;
    if (strstr(lines[n], "[vdso]")) sscanf(lines[n], "%lx", &vdso);
    n++;
  }
  fclose(maps);
  const char *below = "nothing";
  for (int i = 0; i < n; i++) {
    if (sscanf(lines[i], "%lx-%lx", &start, &end) != 2 || !(start <= vdso - 4096 && vdso - 4096 < end)) continue;
    char *name = strrchr(strcpy(line, lines[i]), ' ');
    name[strcspn(name, "\n")] = 0;
    below = name[1] ? name + 1 : "an anonymous mapping";
    below = strrchr(below, '/') ? strrchr(below, '/') + 1 : below;
  }
  printf("vvar mappings: %d\n", vvarLines);
  printf("below the vDSO: %s\n", below);
  signal(SIGSEGV, onSegv);
  if (sigsetjmp(back, 1) == 0) {
    printf("read at 8: %d\n", *(volatile int *)8);
  } else {
    printf("read at 8: SIGSEGV, handled\n");
  }
  return 0;
}
