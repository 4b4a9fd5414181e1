import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { type SupportRoom } from '../shared/admin-api';
import { formatAge, shortId } from '../shared/format';
import { canJoin, roomStatus, statusLabel } from './room-status';

@Component({
  selector: 'nr-room-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (rows().length === 0) {
      <p class="empty" data-testid="no-rooms">No open support rooms.</p>
    } @else {
      <table class="rooms" data-testid="room-list">
        <thead>
          <tr>
            <th>Room</th>
            <th>Status</th>
            <th>People</th>
            <th>Age</th>
            <th class="col-idle">Last activity</th>
            <th class="actions-col"><span class="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          @for (row of rows(); track row.room.roomId) {
            <tr [class.selected]="row.joined" [attr.data-room-id]="row.room.roomId">
              <td>
                <code [title]="row.room.roomId">{{ row.shortId }}</code>
              </td>
              <td>
                <span class="badge" [class]="'badge ' + row.status">{{ row.statusLabel }}</span>
              </td>
              <td data-label="People">
                {{ row.room.participants }}/{{ row.room.maxParticipants }}
              </td>
              <td data-label="Age">{{ row.age }}</td>
              <td class="col-idle" data-label="Last activity">{{ row.idle }} ago</td>
              <td class="actions">
                @if (row.joined) {
                  <span class="muted">joined</span>
                } @else {
                  <button
                    type="button"
                    class="btn small primary"
                    data-testid="join-room"
                    [disabled]="!row.joinable"
                    [title]="
                      row.joinable
                        ? 'Join this conversation'
                        : 'Both seats are taken: a third join would destroy the room'
                    "
                    (click)="join.emit(row.room.roomId)"
                  >
                    Join
                  </button>
                }
                <button
                  type="button"
                  class="btn small danger"
                  data-testid="close-room"
                  (click)="close.emit(row.room.roomId)"
                >
                  Close
                </button>
              </td>
            </tr>
          }
        </tbody>
      </table>
    }
  `,
})
export class RoomList {
  readonly rooms = input.required<readonly SupportRoom[]>();
  readonly now = input.required<number>();
  readonly joinedRoomId = input<string | undefined>(undefined);
  readonly join = output<string>();
  readonly close = output<string>();

  protected readonly rows = computed(() =>
    this.rooms().map((room) => {
      const status = roomStatus(room);
      const joined = room.roomId === this.joinedRoomId();
      return {
        room,
        status,
        statusLabel: statusLabel(status),
        shortId: shortId(room.roomId),
        age: formatAge(room.createdAt, this.now()),
        idle: formatAge(room.lastActivityAt, this.now()),
        joined,
        joinable: canJoin(room),
      };
    }),
  );
}
