/* Prints getifaddrs(3)'s entries, one a line and sorted: name, family, address, netmask
 * (AF_PACKET entries show their ifindex and hardware address). glibc builds them from
 * NETLINK_ROUTE dumps (RTM_GETLINK, RTM_GETADDR). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void text(const struct sockaddr *sa, char *out, size_t size) {
  if (!sa) {
    snprintf(out, size, "-");
  } else if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, size);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, size);
  } else if (sa->sa_family == AF_PACKET) {
    const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;
    int n = snprintf(out, size, "ifindex=%d hw=", ll->sll_ifindex);
    for (int i = 0; i < ll->sll_halen; i++) n += snprintf(out + n, size - n, i ? ":%02x" : "%02x", ll->sll_addr[i]);
  } else {
    snprintf(out, size, "family-%d", sa->sa_family);
  }
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  struct ifaddrs *list;
  if (getifaddrs(&list) != 0) {
    perror("getifaddrs");
    return 1;
  }
  char *lines[64];
  int n = 0;
  for (struct ifaddrs *ifa = list; ifa && n < 64; ifa = ifa->ifa_next) {
    char addr[128], mask[128], line[512];
    int family = ifa->ifa_addr ? ifa->ifa_addr->sa_family : -1;
    const char *fam = family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : family == AF_PACKET ? "packet" : "other";
    text(ifa->ifa_addr, addr, sizeof addr);
    text(ifa->ifa_netmask, mask, sizeof mask);
    snprintf(line, sizeof line, "%s %s %s %s flags=0x%x", ifa->ifa_name, fam, addr, mask, ifa->ifa_flags);
    lines[n++] = strdup(line);
  }
  freeifaddrs(list);
  qsort(lines, n, sizeof lines[0], compare);
  for (int i = 0; i < n; i++) printf("%s\n", lines[i]);
  struct if_nameindex *names = if_nameindex();
  for (struct if_nameindex *p = names; p && p->if_index; p++) printf("index %u %s\n", p->if_index, p->if_name);
  if_freenameindex(names);
  return 0;
}
