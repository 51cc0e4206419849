/* cli.h: subcommands that live outside main.c. Each returns the process exit status. */
#ifndef GZ_CLI_CLI_H
#define GZ_CLI_CLI_H

int cmd_align(int argc, char **argv);
int cmd_user(int argc, char **argv);
/* backup.c: gazette backup DEST, gazette restore SRC (verified copies of a data folder). */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
