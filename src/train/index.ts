export { train, readLog, CHECKPOINT_FILE, type TrainerTask, type TrainerOptions, type TrainResult, type LossOutput } from './trainer.js';
export { renderLineChart, type Series, type LineChartOptions } from './plot.js';
