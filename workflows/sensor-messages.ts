/**
 * What the CLI and the sensor workflow share: the status query and the stop signal. A query adds no history
 * events and is answered for a stopped sensor too; stopping is a signal, so the sensor finishes the scene runs and
 * deliveries it has started before it ends.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SensorStatus } from './sensor-types';

/** `tessera sensor status NAME`, or `temporal workflow query --workflow-id sensor-NAME --name sensorStatus`. */
export const sensorStatusQuery = defineQuery<SensorStatus>('sensorStatus');

/** `tessera sensor stop NAME`: no more polls; running scene runs and deliveries finish, then the sensor completes. */
export const stopSensorSignal = defineSignal<[{ reason?: string }?]>('stopSensor');
