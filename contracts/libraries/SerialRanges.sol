// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/// @title SerialRanges
/// @notice The deposited serial ranges of one batch: disjoint inclusive `[start, end]` ranges of 64-bit unit numbers,
/// kept as a doubly-linked list sorted by start, so that a new range is checked against its neighbours only.
/// @dev One storage word per range, keyed by `start + 1` (key 0 is the head sentinel, whose `next` is the lowest
/// range):
///
///     bits   0..63   end
///     bits  64..135  key of the next range (0: none)
///     bits 136..207  key of the previous range (0: the sentinel)
///     bit   255      set on every live range and, once used, on the sentinel (so no live word is ever zero)
///
/// {insert} takes a hint, the start of a deposited range below the new one: with the nearest one it reads the hint
/// and its successor and writes the new word and the two links (O(1)); with any lower one it walks forward from it,
/// one read per range in between; with a hint that is not a deposited start below the new range (0 included) it
/// walks from the lowest range (hint 0 does so without the extra read). So the hint only ever changes the gas, never
/// the outcome. {remove} needs no hint.
library SerialRanges {
    struct Set {
        mapping(uint256 key => uint256 word) words;
    }

    uint256 private constant _KEY_MASK = (1 << 72) - 1;
    uint256 private constant _END_MASK = (1 << 64) - 1;
    uint256 private constant _NEXT_SHIFT = 64;
    uint256 private constant _PREV_SHIFT = 136;
    uint256 private constant _LIVE = 1 << 255;

    /// @dev Adds `[start, end]` (`start <= end`, checked by the caller) unless it overlaps a deposited range, whose
    /// bounds it then returns with `added == false` (and writes nothing).
    function insert(Set storage set, uint64 start, uint64 end, uint64 hint)
        internal
        returns (bool added, uint64 overlapStart, uint64 overlapEnd)
    {
        uint256 key = _keyOf(start);
        (uint256 prevKey, uint256 prevWord, uint256 nextKey) = _neighbours(set, key, hint);
        // a live key is at least 1, so `key - 1` is the range's start and fits 64 bits
        if (prevKey != 0 && uint64(prevWord) >= start) return (false, uint64(prevKey - 1), uint64(prevWord));
        if (nextKey != 0) {
            uint256 nextWord = set.words[nextKey];
            if (uint64(nextKey - 1) <= end) return (false, uint64(nextKey - 1), uint64(nextWord));
            set.words[nextKey] = (nextWord & ~(_KEY_MASK << _PREV_SHIFT)) | (key << _PREV_SHIFT);
        }
        set.words[key] = _LIVE | uint256(end) | (nextKey << _NEXT_SHIFT) | (prevKey << _PREV_SHIFT);
        set.words[prevKey] = (prevWord & ~(_KEY_MASK << _NEXT_SHIFT)) | (key << _NEXT_SHIFT) | _LIVE;
        return (true, 0, 0);
    }

    /// @dev Removes `[start, end]` when it is exactly a deposited range; returns whether it was.
    function remove(Set storage set, uint64 start, uint64 end) internal returns (bool) {
        uint256 key = _keyOf(start);
        uint256 word = set.words[key];
        if (word & _LIVE == 0 || uint64(word) != end) return false;
        uint256 prevKey = (word >> _PREV_SHIFT) & _KEY_MASK;
        uint256 nextKey = (word >> _NEXT_SHIFT) & _KEY_MASK;
        uint256 prevWord = set.words[prevKey];
        set.words[prevKey] = (prevWord & ~(_KEY_MASK << _NEXT_SHIFT)) | (nextKey << _NEXT_SHIFT);
        if (nextKey != 0) {
            uint256 nextWord = set.words[nextKey];
            set.words[nextKey] = (nextWord & ~(_KEY_MASK << _PREV_SHIFT)) | (prevKey << _PREV_SHIFT);
        }
        delete set.words[key];
        return true;
    }

    /// @dev Whether `[start, end]` is exactly a deposited range.
    function contains(Set storage set, uint64 start, uint64 end) internal view returns (bool) {
        uint256 word = set.words[_keyOf(start)];
        return word & _LIVE != 0 && uint64(word) == end;
    }

    /// @dev The start of the deposited range nearest below `start` (the exact hint for {insert}), or 0 when there is
    /// none. Walks from the lowest range: O(n) reads, for off-chain callers.
    function hintOf(Set storage set, uint64 start) internal view returns (uint64) {
        // the last range whose key is below `start`'s (a range starting at `start` itself is not below it)
        (uint256 prevKey, , ) = _neighbours(set, _keyOf(start) - 1, 0);
        return prevKey == 0 ? 0 : uint64(prevKey - 1);
    }

    /// @dev Every deposited range in ascending order. O(n) reads, for off-chain callers (audits, tests).
    function list(Set storage set) internal view returns (uint64[] memory starts, uint64[] memory ends) {
        uint256 count;
        for (uint256 k = _nextOf(set.words[0]); k != 0; k = _nextOf(set.words[k])) ++count;
        starts = new uint64[](count);
        ends = new uint64[](count);
        uint256 key = _nextOf(set.words[0]);
        for (uint256 i; i < count; ++i) {
            uint256 word = set.words[key];
            (starts[i], ends[i]) = (uint64(key - 1), uint64(word));
            key = _nextOf(word);
        }
    }

    /// @dev The ranges around `key`: the last one whose key is at most `key` (0: the sentinel) with its word, and
    /// the key after it. Starts at the hint's range when it is deposited and below `key`, else at the sentinel.
    function _neighbours(Set storage set, uint256 key, uint64 hint)
        private
        view
        returns (uint256 prevKey, uint256 prevWord, uint256 nextKey)
    {
        // hint 0 starts at the sentinel without reading a block at 0 (the walk reaches one in a step)
        if (hint != 0 && _keyOf(hint) < key) {
            prevKey = _keyOf(hint);
            prevWord = set.words[prevKey];
        }
        if (prevWord & _LIVE == 0) (prevKey, prevWord) = (0, set.words[0]);
        nextKey = _nextOf(prevWord);
        while (nextKey != 0 && nextKey <= key) {
            (prevKey, prevWord) = (nextKey, set.words[nextKey]);
            nextKey = _nextOf(prevWord);
        }
    }

    function _keyOf(uint64 start) private pure returns (uint256) {
        return uint256(start) + 1;
    }

    function _nextOf(uint256 word) private pure returns (uint256) {
        return (word >> _NEXT_SHIFT) & _KEY_MASK;
    }
}
