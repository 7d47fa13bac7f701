/*
 * 16550 UART on COM1, polled: the console's hardware back end.
 * 115200 baud, 8N1, FIFOs on.  QEMU ignores the baud rate, real hardware
 * and Bochs do not, so program it anyway.
 */
#include <kernel/systm.h>
#include <kernel/console.h>
#include <x86/cpufunc.h>

#define	COM1		0x3f8
#define	UART_THR	0	/* transmit holding (DLAB = 0) */
#define	UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define	UART_IER	1	/* interrupt enable (DLAB = 0) */
#define	UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define	UART_FCR	2	/* FIFO control */
#define	UART_LCR	3	/* line control */
#define	UART_MCR	4	/* modem control */
#define	UART_LSR	5	/* line status */
#define	LCR_DLAB	0x80
#define	LCR_8N1		0x03
#define	FCR_ENABLE	0x07	/* enable and clear both FIFOs */
#define	MCR_DTR_RTS	0x03
#define	LSR_THRE	0x20	/* room in the transmit FIFO */
#define	LSR_TEMT	0x40	/* transmitter completely empty */

void
cons_hw_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);		/* 115200 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void
cons_hw_putc(int c)
{
	while ((inb(COM1 + UART_LSR) & LSR_THRE) == 0)
		ia32_pause();
	outb(COM1 + UART_THR, (uint8_t)c);
}

/*
 * THRE only says the FIFO has room; TEMT says the shift register is empty
 * too.  Powering off before TEMT can lose the last bytes of a log.
 */
void
cons_hw_drain(void)
{
	while ((inb(COM1 + UART_LSR) & LSR_TEMT) == 0)
		ia32_pause();
}
