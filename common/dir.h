/*
 * dir.h: making the folders a daemon keeps its files in.
 */
#ifndef TRYGG_DIR_H
#define TRYGG_DIR_H

#include <sys/types.h>

/* Creates dir and its missing parents with mode, like mkdir -p; 0 or -1 with errno. */
int dir_make(const char *dir, mode_t mode);

#endif
