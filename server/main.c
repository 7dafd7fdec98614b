/* main.c: placeholder until the front end lands. */
#include <stdio.h>
int main(void) { return 0; }
