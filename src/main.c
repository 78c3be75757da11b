/* main.c — placeholder until the call controller lands. */
#include <stdio.h>
int main(void) { puts("hotline"); return 0; }
