/* Prints a line and calls abort(3): the process ends killed by SIGABRT (signal 6, also named SIGIOT). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("aborting\n");
    fflush(stdout);
    abort();
}
