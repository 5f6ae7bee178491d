/**
 * Single active consumer for stream subscribers (RabbitMQ 3.11+ over the stream protocol):
 * subscribers that share a name on one stream form a group in which one at a time reads;
 * when it leaves, the longest-waiting one takes over. (RabbitMQ also spreads the
 * partitions of a super stream over a group's members; here the first member to come is
 * active on every partition it joins.)
 */
export interface GroupMember {
  /** This member is the group's active one now. */
  activate(): void;
}

export class ConsumerGroups {
  private readonly groups = new Map<string, GroupMember[]>();

  /** Adds a member; returns whether it is the active one (the first in its group). */
  join(name: string, member: GroupMember): boolean {
    const members = this.groups.get(name);
    if (members === undefined) {
      this.groups.set(name, [member]);
      return true;
    }
    members.push(member);
    return false;
  }

  /** Removes a member; if it was active, the next one is activated. */
  leave(name: string, member: GroupMember): void {
    const members = this.groups.get(name);
    if (members === undefined) return;
    const index = members.indexOf(member);
    if (index < 0) return;
    members.splice(index, 1);
    if (members.length === 0) this.groups.delete(name);
    else if (index === 0) members[0]!.activate();
  }

  isActive(name: string, member: GroupMember): boolean {
    return this.groups.get(name)?.[0] === member;
  }
}
