/* slots.h: the server's computations at once, and the watchdog thread that
 * stops one (through the flag its thread watches, phsim_interrupt_watch)
 * when its time is up or its client has gone away. */
#ifndef PHSIM_SERVE_SLOTS_H
#define PHSIM_SERVE_SLOTS_H

enum { SLOT_RUNNING = 0, SLOT_TIME_UP = 1, SLOT_CLIENT_GONE = 2, SLOT_HALTED = 3 };

typedef struct serve_slots serve_slots;
typedef struct serve_slot serve_slot;

/* n slots and their watchdog; NULL when out of memory or threads. */
serve_slots *serve_slots_alloc(unsigned n);
/* Stop every computation (SLOT_HALTED) and take no more. */
void serve_slots_halt(serve_slots *s);
/* Stop the watchdog and free; every slot must have been given back. */
void serve_slots_free(serve_slots *s);

/* A free slot for a computation answering the client on socket fd
 * (watched until given back), stopped after seconds; NULL when all are
 * taken or the slots are halted.  The calling thread watches the slot's flag from now on. */
serve_slot *serve_slot_take(serve_slots *s, int fd, double seconds);
/* Why the slot's computation was stopped: SLOT_RUNNING (it was not),
 * SLOT_TIME_UP, SLOT_CLIENT_GONE, SLOT_HALTED. */
int serve_slot_state(const serve_slot *slot);
/* Slots taken now. */
unsigned serve_slots_taken(serve_slots *s);
/* Give the slot back; the calling thread watches no flag any more. */
void serve_slot_give(serve_slots *s, serve_slot *slot);

#endif
