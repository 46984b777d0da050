/* Prints 16 bytes from getrandom(2) and 16 bytes of AT_RANDOM, in hex. */
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>

static void hex(const char *label, const unsigned char *b, int n) {
    printf("%s ", label);
    for (int i = 0; i < n; i++) printf("%02x", b[i]);
    printf("\n");
}

int main(void) {
    unsigned char buf[16];
    if (getrandom(buf, sizeof buf, 0) != sizeof buf) return 1;
    hex("getrandom", buf, 16);
    hex("at_random", (const unsigned char *)getauxval(AT_RANDOM), 16);
    return 0;
}
