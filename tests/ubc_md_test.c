/*
 * Suite "ubc" (part 3): the md-backed object (mm/uvm_mdobj.h).  Data
 * written through UBC reaches the RAM disk only when put, is read back
 * from the disk through md_strategy (pbufs) by fresh faults, and a
 * failing sector stops a transfer at its page.  Both copy paths.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/md.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/ubc.h>
#include <mm/uvm_mdobj.h>
#include <mm/uvm_object.h>
#include "tests/ubc_util.h"

#define	NPATHS	2

static bool
use_path(int p)
{
	return (ubc_set_direct(p == 1));
}

KTEST(ubc, md_object_data_reaches_the_disk)
{
	struct ubc_config uc;
	size_t size = 2 * ubc_winsize() + 3 * PAGE_SIZE, done;
	uint8_t *buf = malloc(size, 0), *disk = malloc(size, 0);
	unsigned long r0;
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct md_softc *md = md_create(size);
		struct uvm_object *uobj = mdobj_create(md, size);

		ubc_fill(buf, size - 1000, 1000, 20 + p);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size - 1000, 1000, UIO_WRITE,
		    0, 0, &done), 0);
		KT_EXPECT_EQ(done, size - 1000);
		/* Cached only: the disk has not seen it. */
		KT_EXPECT_EQ(md_read(md, 0, disk, size), 0);
		KT_EXPECT_EQ(disk[size - 1], 0);
		KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), 0);
		KT_EXPECT_EQ(mdobj_writes(uobj), size / PAGE_SIZE);
		KT_EXPECT_EQ(md_read(md, 0, disk, size), 0);
		KT_EXPECT_SEQ(ubc_check(disk + 1000, size - 1000, 1000,
		    20 + p), -1);
		KT_EXPECT_EQ(disk[999], 0);	/* the hole before the write */
		/* Fresh faults read it back from the disk. */
		r0 = mdobj_reads(uobj);
		memset(buf, 0, size);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size - 1000, 1000, UIO_READ,
		    0, 0, &done), 0);
		KT_EXPECT_EQ(mdobj_reads(uobj) - r0, size / PAGE_SIZE);
		KT_EXPECT_SEQ(ubc_check(buf, size - 1000, 1000, 20 + p), -1);
		uvm_obj_detach(uobj);
		md_destroy(md);
	}
	ubc_set_direct(uc.uc_direct);
	free(buf);
	free(disk);
}

KTEST(ubc, md_object_reads_what_the_disk_holds)
{
	size_t size = 5 * PAGE_SIZE;
	uint8_t *buf = malloc(size, 0);
	struct md_softc *md = md_create(size);
	struct uvm_object *uobj;

	ubc_fill(buf, size, 0, 77);
	KT_EXPECT_EQ(md_write(md, 0, buf, size), 0);
	uobj = mdobj_create(md, size);
	memset(buf, 0, size);
	KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_READ, UVM_ADV_SEQUENTIAL,
	    0, NULL), 0);
	KT_EXPECT_SEQ(ubc_check(buf, size, 0, 77), -1);
	uvm_obj_detach(uobj);
	md_destroy(md);
	free(buf);
}

#define	BADPAGE	6
KTEST(ubc, md_bad_sector_stops_transfer_at_its_page)
{
	struct ubc_config uc;
	size_t size = 10 * PAGE_SIZE, done;
	uint8_t *buf = malloc(size, 0);
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct md_softc *md = md_create(size);
		struct uvm_object *uobj;

		ubc_fill(buf, size, 0, 5);
		md_write(md, 0, buf, size);
		uobj = mdobj_create(md, size);
		mdobj_set_error(uobj, BADPAGE * PAGE_SIZE, UIO_READ, EIO);
		memset(buf, 0, size);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size - 3, 3, UIO_READ,
		    UVM_ADV_RANDOM, UBC_PARTIALOK, &done), EIO);
		KT_EXPECT_EQ(done, BADPAGE * PAGE_SIZE - 3);
		KT_EXPECT_SEQ(ubc_check(buf, done, 3, 5), -1);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_READ, 0, 0, &done),
		    EIO);
		KT_EXPECT_LE(done, BADPAGE * PAGE_SIZE);
		/* A write error keeps the page dirty; cleared, it goes out. */
		mdobj_set_error(uobj, 0, UIO_READ, 0);
		mdobj_set_error(uobj, PAGE_SIZE, UIO_WRITE, EIO);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, 8, PAGE_SIZE, UIO_WRITE, 0, 0,
		    NULL), 0);
		KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), EIO);
		KT_EXPECT_EQ(uobj->uo_npages, 1);
		mdobj_set_error(uobj, 0, UIO_WRITE, 0);
		KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), 0);
		KT_EXPECT_EQ(uobj->uo_npages, 0);
		uvm_obj_detach(uobj);
		md_destroy(md);
	}
	ubc_set_direct(uc.uc_direct);
	free(buf);
}

/* An object larger than its disk: the pages past the end get md's EIO. */
KTEST(ubc, md_object_past_the_disk_gets_eio)
{
	struct md_softc *md = md_create(2 * PAGE_SIZE);
	struct uvm_object *uobj = mdobj_create(md, 4 * PAGE_SIZE);
	uint8_t buf[64];
	size_t done;

	/* A fault reading the rest of the window too: clipped to the disk. */
	KT_EXPECT_EQ(ubc_rw(uobj, buf, 64, PAGE_SIZE, UIO_READ, UVM_ADV_NORMAL,
	    0, &done), 0);
	KT_EXPECT_EQ(ubc_rw(uobj, buf, 64, 2 * PAGE_SIZE, UIO_READ,
	    UVM_ADV_RANDOM, 0, &done), EIO);
	KT_EXPECT_EQ(done, 0);
	uvm_obj_detach(uobj);
	md_destroy(md);
}
