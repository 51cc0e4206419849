/* cli.h: subcommands that live outside main.c. Each returns the process exit status. */
#ifndef GZ_CLI_CLI_H
#define GZ_CLI_CLI_H

int cmd_align(int argc, char **argv);
int cmd_user(int argc, char **argv);

#endif
