package io.kvstore.proxy.loop;

import java.util.ArrayList;

/**
 * One event loop's share of {@code --max-requests-in-flight}: how many requests its clients
 * have read and not yet answered, and the clients that stopped reading because the share ran
 * out. Owned by its loop (a client and all its replies stay on one loop), so the hot path is a
 * plain increment, with no atomics or locks; other threads only read {@link #inFlight} and
 * {@link #pauses} for INFO, as figures a moment old.
 *
 * <p>Invariants: {@code inFlight} is the sum of the units the loop's clients hold; a waiter is
 * listed at most once (its own flag says whether it is listed) and only while the count is above
 * half the share; once the count falls to half, every waiter is told and the list is empty. A
 * share of 0 bounds nothing and never lists a waiter.
 */
public final class InFlightBudget {

    /** A client that stopped reading for this budget and reads again when told. */
    public interface Waiter {
        /** The loop's count fell to half its share: reading may resume. Called on the loop. */
        void budgetFreed();
    }

    /** A budget that bounds nothing, for loops made without one (tests, tools). */
    public static InFlightBudget unbounded() {
        return new InFlightBudget(0);
    }

    private final int share;
    private int inFlight;
    private int peak;
    private volatile long pauses; // written only when a client pauses: rare, and read by INFO from any thread
    private ArrayList<Waiter> waiters = new ArrayList<>();

    /** {@code share}: requests this loop may have in flight; 0 = no bound. */
    public InFlightBudget(int share) {
        if (share < 0) {
            throw new IllegalArgumentException("share " + share);
        }
        this.share = share;
    }

    /** Takes one unit; whether the share is now used up (the caller should stop reading). */
    public boolean take() {
        if (++inFlight > peak) {
            peak = inFlight;
        }
        return inFlight >= share && share > 0;
    }

    /** Lists a client that stopped reading because {@link #take} said the share is used up. */
    public void await(Waiter waiter) {
        waiters.add(waiter);
        pauses++;
    }

    /** Forgets a listed client (it closed); it will not be told. */
    public void forget(Waiter waiter) {
        waiters.remove(waiter);
    }

    /** Gives back {@code units}; at half the share, tells every listed client to read again. */
    public void give(int units) {
        inFlight -= units;
        if (!waiters.isEmpty() && inFlight <= share / 2) {
            ArrayList<Waiter> resumed = waiters;
            waiters = new ArrayList<>(); // a waiter told may list itself again without touching the list being walked
            for (int i = 0, n = resumed.size(); i < n; i++) {
                resumed.get(i).budgetFreed();
            }
        }
    }

    /** Requests of this loop's clients read and not yet answered. */
    public int inFlight() {
        return inFlight;
    }

    /** The highest {@link #inFlight} this loop reached since start: how close it came to its share. */
    public int peak() {
        return peak;
    }

    /** This loop's share; 0 = no bound. */
    public int share() {
        return share;
    }

    /** How many times a client of this loop stopped reading because the share was used up. */
    public long pauses() {
        return pauses;
    }

    /** Clients of this loop waiting for the count to fall (for tests and INFO). */
    public int waiting() {
        return waiters.size();
    }
}
