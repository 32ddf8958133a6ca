/* config.h: lwIP's unit tests include <config.h> (from the check library's own
 * autoconf build); Debian's check needs nothing from it. */
