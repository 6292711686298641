// Hostile: writes to stdout forever; stdout is output, so past the output limit the unit ends.
#include <stdio.h>
int main(void) { for (;;) fputs("flooding stdout with a line of text\n", stdout); }
