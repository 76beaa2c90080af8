/**
 * The program's own exit statuses (a subcommand's other statuses are documented with it).
 *
 * @module
 */

/** Exit status for usage errors (unknown command or option, bad value). */
export const EXIT_USAGE = 2;
/** Exit status for unexpected exceptions (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;
