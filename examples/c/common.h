/*
 * common.h: what the C versions of Mrs. Premise and Mrs. Conclusion share:
 * reading params.txt (posix_ipc's demo format), MD5 hex digests, and say().
 *
 * Written for ipcfs as the C peer of the Go examples; it uses only glibc's
 * own shm_open, sem_open and mq_open. Build with, for example:
 *
 *     gcc -O2 -pthread -o premise premise.c -lrt
 */
#ifndef IPCFS_EXAMPLES_COMMON_H
#define IPCFS_EXAMPLES_COMMON_H

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/time.h>

struct params {
    int iterations;
    int live_dangerously;
    char semaphore_name[256];
    char shared_memory_name[256];
    char message_queue_name[256];
    int permissions;
    long shm_size;
};

static int quiet;

static inline void say(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void say(const char *who, const char *fmt, ...) {
    struct timeval tv;
    va_list ap;
    if (quiet)
        return;
    gettimeofday(&tv, NULL);
    printf("%s@%ld.%06ld: ", who, (long)tv.tv_sec, (long)tv.tv_usec);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static inline char *trim(char *s) {
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* read_params fills p from path (posix_ipc's defaults for missing keys);
 * returns 0, or -1 after printing why. */
static inline int read_params(const char *path, struct params *p) {
    char line[1024];
    int line_no = 0;
    FILE *f;

    p->iterations = 1000;
    p->live_dangerously = 0;
    strcpy(p->semaphore_name, "/wuthering_heights");
    strcpy(p->shared_memory_name, "/four_yorkshiremen");
    strcpy(p->message_queue_name, "/my_message_queue");
    p->permissions = 0600;
    p->shm_size = 4096;

    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "opening %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *key, *value, *eq, *end;
        long n;
        line_no++;
        key = trim(line);
        if (*key == '\0' || *key == '#')
            continue;
        eq = strchr(key, '=');
        if (!eq) {
            fprintf(stderr, "%s line %d: not KEY=value\n", path, line_no);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        key = trim(key);
        value = trim(eq + 1);
        for (char *c = key; *c; c++)
            *c = toupper((unsigned char)*c);
        if (strstr(key, "NAME")) {
            char *dst = !strcmp(key, "SEMAPHORE_NAME")       ? p->semaphore_name
                        : !strcmp(key, "SHARED_MEMORY_NAME") ? p->shared_memory_name
                        : !strcmp(key, "MESSAGE_QUEUE_NAME") ? p->message_queue_name
                                                             : NULL;
            if (dst) {
                if (strlen(value) > 255) {
                    fprintf(stderr, "%s line %d: name too long\n", path, line_no);
                    fclose(f);
                    return -1;
                }
                strcpy(dst, value);
            }
            continue;
        }
        errno = 0;
        n = strtol(value, &end, !strcmp(key, "PERMISSIONS") ? 8 : 10);
        if (errno || end == value || *end) {
            fprintf(stderr, "%s line %d: %s: %s is not a number\n", path, line_no, key, value);
            fclose(f);
            return -1;
        }
        if (!strcmp(key, "ITERATIONS"))
            p->iterations = (int)n;
        else if (!strcmp(key, "LIVE_DANGEROUSLY"))
            p->live_dangerously = n != 0;
        else if (!strcmp(key, "PERMISSIONS"))
            p->permissions = (int)n;
        else if (!strcmp(key, "SHM_SIZE"))
            p->shm_size = n;
    }
    fclose(f);
    if (p->iterations < 1 || p->shm_size < 64) {
        fprintf(stderr, "%s: ITERATIONS must be >= 1 and SHM_SIZE >= 64\n", path);
        return -1;
    }
    return 0;
}

/* parse_args handles "[-params file] [-q]" and returns the params path. */
static inline const char *parse_args(int argc, char **argv) {
    const char *path = "params.txt";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-q"))
            quiet = 1;
        else if (!strcmp(argv[i], "-params") && i + 1 < argc)
            path = argv[++i];
        else {
            fprintf(stderr, "usage: %s [-params file] [-q]\n", argv[0]);
            exit(2);
        }
    }
    return path;
}

/* MD5 (RFC 1321), just enough for hex digests of short strings. */
static inline uint32_t md5_rol(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

static inline void md5_block(uint32_t h[4], const unsigned char *b) {
    static const uint32_t k[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
    static const int r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t w[16], a = h[0], bb = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 16; i++)
        w[i] = b[i * 4] | b[i * 4 + 1] << 8 | b[i * 4 + 2] << 16 | (uint32_t)b[i * 4 + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (bb & c) | (~bb & d);
            g = i;
        } else if (i < 32) {
            f = (d & bb) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = bb ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (bb | ~d);
            g = (7 * i) % 16;
        }
        f += a + k[i] + w[g];
        a = d;
        d = c;
        c = bb;
        bb += md5_rol(f, r[i]);
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
}

/* md5_hex writes the 32-character hex digest of s, and a NUL, to out. */
static inline void md5_hex(const char *s, char out[33]) {
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t len = strlen(s), i;
    unsigned char block[64];
    uint64_t bits = (uint64_t)len * 8;
    for (i = 0; i + 64 <= len; i += 64)
        md5_block(h, (const unsigned char *)s + i);
    size_t rest = len - i;
    memset(block, 0, sizeof block);
    memcpy(block, s + i, rest);
    block[rest] = 0x80;
    if (rest >= 56) {
        md5_block(h, block);
        memset(block, 0, sizeof block);
    }
    for (int j = 0; j < 8; j++)
        block[56 + j] = (unsigned char)(bits >> (8 * j));
    md5_block(h, block);
    for (int j = 0; j < 16; j++)
        sprintf(out + 2 * j, "%02x", (h[j / 4] >> (8 * (j % 4))) & 0xff);
}

#endif
