/*
 * The kernel console.  kprintf() (kernel/systm.h) formats with lib/printf
 * and writes through cons_putc() to the hardware console, a 16550 UART on
 * COM1 (kernel/x86/uart.c).  '\n' is sent as "\r\n".  Output is
 * unbuffered and polled, so it works from panic and trap handlers.
 */
#ifndef _KERNEL_CONSOLE_H_
#define _KERNEL_CONSOLE_H_

void	cons_init(void);
void	cons_putc(int c);
void	cons_puts(const char *s);
/* A crash report is about to print: whoever holds the console, take it. */
void	cons_break_lock(void);

/* Hardware back end, implemented by the machine-dependent UART driver. */
void	cons_hw_init(void);
void	cons_hw_putc(int c);
/* Wait until every byte has left the transmitter (before power-off). */
void	cons_hw_drain(void);

#endif /* !_KERNEL_CONSOLE_H_ */
